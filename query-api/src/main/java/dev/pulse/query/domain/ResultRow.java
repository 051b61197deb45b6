package dev.pulse.query.domain;

import java.util.List;

/** One row of a query answer: values of the query's dimensions, then of its metrics, in query order. */
public record ResultRow(List<Object> dimensions, List<Object> metrics) {
}
