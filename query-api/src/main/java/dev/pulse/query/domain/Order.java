package dev.pulse.query.domain;

/** One {@code order_by} entry: a metric or dimension of the query, ascending or descending. */
public record Order(String field, boolean descending) {
}
