package dev.pulse.query.domain;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** A validated, normalised {@code POST /v1/query}. */
public record Query(App app, List<Metric> metrics, LocalDate from, LocalDate to, List<Dimension> dimensions,
        List<Filter> filters, List<Order> orderBy, int limit, int offset) {

    /** The same question over other days, every row (no page): a part of a larger answer. */
    public Query allRowsBetween(LocalDate from, LocalDate to) {
        return new Query(app, metrics, from, to, dimensions, filters, orderBy, Integer.MAX_VALUE, 0);
    }

    public Optional<Dimension> timeDimension() {
        return dimensions.stream().filter(Dimension::isTime).findFirst();
    }
}
