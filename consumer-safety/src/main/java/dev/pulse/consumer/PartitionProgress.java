package dev.pulse.consumer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per partition of a consumer: whether records wait and when it last made progress. A partition whose records
 * wait and which made no progress for the stall time is stalled (the service is then not ready), whatever the
 * other partitions do. Each partition shows as a gauge of seconds without progress while records wait (0 when
 * none wait), tagged topic and partition.
 */
public final class PartitionProgress {
    private final MeterRegistry registry;
    private final String gaugeName;
    private final Duration stalledAfter;
    private final Supplier<Instant> clock;
    private final Map<Partition, State> states = new ConcurrentHashMap<>();

    private record Partition(String topic, int partition) {
        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    private final class State {
        volatile boolean waiting;
        volatile Instant lastProgress = clock.get();
        Gauge gauge;

        double secondsWithoutProgress() {
            return waiting ? Math.max(0, Duration.between(lastProgress, clock.get()).toMillis() / 1000.0) : 0;
        }
    }

    public PartitionProgress(MeterRegistry registry, String gaugeName, Duration stalledAfter) {
        this(registry, gaugeName, stalledAfter, Instant::now);
    }

    PartitionProgress(MeterRegistry registry, String gaugeName, Duration stalledAfter, Supplier<Instant> clock) {
        this.registry = registry;
        this.gaugeName = gaugeName;
        this.stalledAfter = stalledAfter;
        this.clock = clock;
    }

    /** Whether records of the partition wait: read but not yet processed, or behind the consumer's position. */
    public void waiting(String topic, int partition, boolean waiting) {
        State state = state(topic, partition);
        if (waiting && !state.waiting) {
            // the wait starts now: a partition that had nothing to do for an hour is not an hour late
            state.lastProgress = clock.get();
        }
        state.waiting = waiting;
    }

    /** Records of the partition were processed (written, or quarantined). */
    public void progressed(String topic, int partition) {
        state(topic, partition).lastProgress = clock.get();
    }

    /** The partition went to another consumer. */
    public void forget(String topic, int partition) {
        State state = states.remove(new Partition(topic, partition));
        if (state != null && state.gauge != null) {
            registry.remove(state.gauge);
        }
    }

    /** The stalled partitions, each with its seconds without progress ("events.raw-2: 75 s"). */
    public List<String> stalled() {
        return states.entrySet().stream()
                .filter(e -> e.getValue().waiting && e.getValue().secondsWithoutProgress() * 1000 >= stalledAfter.toMillis())
                .map(e -> e.getKey() + ": " + Math.round(e.getValue().secondsWithoutProgress()) + " s")
                .sorted().toList();
    }

    private State state(String topic, int partition) {
        return states.computeIfAbsent(new Partition(topic, partition), p -> {
            State state = new State();
            state.gauge = Gauge.builder(gaugeName, state, State::secondsWithoutProgress)
                    .description("Seconds the partition has had records waiting without progress (0 when none wait)")
                    .tag("topic", p.topic()).tag("partition", String.valueOf(p.partition())).register(registry);
            return state;
        });
    }
}
