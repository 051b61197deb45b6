package dev.pulse.query.domain;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** A validated, normalised {@code POST /v1/query}. */
public record Query(App app, List<Metric> metrics, LocalDate from, LocalDate to, List<Dimension> dimensions,
        List<Filter> filters, List<Order> orderBy, int limit, int offset) {

    public Optional<Dimension> timeDimension() {
        return dimensions.stream().filter(Dimension::isTime).findFirst();
    }
}
