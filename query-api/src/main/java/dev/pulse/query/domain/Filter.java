package dev.pulse.query.domain;

import java.util.List;

/** {@code [op, dimension, values]}: op is {@code is}, {@code is_not} or {@code contains}. */
public record Filter(String op, Dimension dimension, List<String> values) {
}
