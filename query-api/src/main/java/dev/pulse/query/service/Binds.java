package dev.pulse.query.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of one statement, numbered in the order they are bound: a placeholder is only ever the answer to
 * {@link #bind}, so text and values cannot drift apart. A value used twice is bound once and its placeholder reused.
 */
final class Binds {
    private final List<Object> values = new ArrayList<>();

    /** {@code value} as the next parameter; its placeholder ({@code $n}) for the statement's text. */
    String bind(Object value) {
        values.add(value);
        return "$" + values.size();
    }

    List<Object> values() {
        return values;
    }
}
