package dev.pulse.aggregate.domain;

/** Least and greatest of two values where a missing one (null) is no candidate, as SQL's least and greatest. */
final class Nullable {
    private Nullable() {
    }

    static <T extends Comparable<? super T>> T min(T a, T b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    static <T extends Comparable<? super T>> T max(T a, T b) {
        return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
    }
}
