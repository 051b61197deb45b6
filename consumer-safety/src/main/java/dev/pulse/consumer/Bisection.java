package dev.pulse.consumer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Which part of a batch to write next, when parts of it fail for a reason of their own: a slice that fails
 * {@code attemptsPerSlice} times in a row is split in two, and a single record that does is given up to
 * quarantine. Slices are written in batch order (left half before right half), so what is committed per
 * partition only ever moves forward.
 * <p>
 * Pure bookkeeping: the caller writes {@link #current()} and reports how it went. A failure that says nothing
 * about the records (the sink is down) must not be reported here: the caller waits and writes the same slice again.
 */
public final class Bisection<T> {
    public enum Verdict {
        /** write the same slice again */
        RETRY,
        /** the slice was halved; write {@link #current()}, its first half */
        SPLIT,
        /** the slice is one record that keeps failing: quarantine it, then report {@link #quarantined()} */
        QUARANTINE
    }

    private final int attemptsPerSlice;
    private final Deque<List<T>> pending = new ArrayDeque<>();
    private int failures;
    private int attempts;

    public Bisection(List<T> batch, int attemptsPerSlice) {
        if (attemptsPerSlice < 1) {
            throw new IllegalArgumentException("attemptsPerSlice must be at least 1");
        }
        this.attemptsPerSlice = attemptsPerSlice;
        if (!batch.isEmpty()) {
            pending.push(List.copyOf(batch));
        }
    }

    /** Whether every record is written or quarantined. */
    public boolean done() {
        return pending.isEmpty();
    }

    /** The slice to write now. */
    public List<T> current() {
        if (pending.isEmpty()) {
            throw new IllegalStateException("the batch is done");
        }
        return pending.peek();
    }

    /** The current slice was written. */
    public void succeeded() {
        attempts++;
        next();
    }

    /** The current slice failed while its sink answers. */
    public Verdict failed() {
        attempts++;
        failures++;
        List<T> slice = current();
        if (failures < attemptsPerSlice) {
            return Verdict.RETRY;
        }
        if (slice.size() == 1) {
            return Verdict.QUARANTINE;
        }
        pending.pop();
        int half = slice.size() / 2;
        pending.push(slice.subList(half, slice.size()));
        pending.push(slice.subList(0, half));
        failures = 0;
        return Verdict.SPLIT;
    }

    /** The single record of the current slice was quarantined. */
    public void quarantined() {
        if (current().size() != 1 || failures < attemptsPerSlice) {
            throw new IllegalStateException("only a single record that kept failing is quarantined");
        }
        next();
    }

    /** Writes reported so far, successful or not. */
    public int attempts() {
        return attempts;
    }

    private void next() {
        pending.pop();
        failures = 0;
    }
}
