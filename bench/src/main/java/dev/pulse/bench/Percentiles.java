package dev.pulse.bench;

import java.util.Arrays;

/** Latency samples in microseconds; percentiles by sorting (the samples of one run fit in memory). */
final class Percentiles {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long micros) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = micros;
    }

    synchronized double millis(double percentile) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return sorted[(int) Math.min(size - 1, Math.ceil(percentile / 100.0 * size) - 1)] / 1000.0;
    }

    synchronized int count() {
        return size;
    }
}
