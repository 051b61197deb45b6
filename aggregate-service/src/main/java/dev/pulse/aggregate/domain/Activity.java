package dev.pulse.aggregate.domain;

import java.time.Instant;

/** One kind of action within a batch: its first and last time, and how many there were. */
public record Activity(Instant first, Instant last, int count) {
    public static final Activity NONE = new Activity(null, null, 0);

    public static Activity at(Instant time) {
        return new Activity(time, time, 1);
    }

    public Activity plus(Activity other) {
        return new Activity(Nullable.min(first, other.first), Nullable.max(last, other.last), count + other.count);
    }
}
