package dev.pulse.query.domain;

/**
 * The condition "this user's first day ({@code firstDate}, a column of alias {@code e}) lies in the row's bucket",
 * which depends on the query's time dimension: how {@link Metric} and {@link Partial} count new users.
 */
@FunctionalInterface
public interface NewUsers {
    String firstIn(String firstDate);
}
