package dev.pulse.consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PartitionProgressTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PartitionProgress progress = new PartitionProgress(registry, "test.partition.seconds.without.progress",
            Duration.ofSeconds(60), now::get);

    private void later(long seconds) {
        now.set(now.get().plusSeconds(seconds));
    }

    private double gauge(int partition) {
        return registry.get("test.partition.seconds.without.progress").tag("topic", "t").tag("partition", String.valueOf(partition)).gauge().value();
    }

    @Test
    void aPartitionWithRecordsWaitingAndNoProgressIsStalled() {
        progress.waiting("t", 0, true);
        progress.waiting("t", 1, true);
        later(30);
        progress.progressed("t", 1);
        later(45);

        assertEquals(List.of("t-0: 75 s"), progress.stalled());
        assertEquals(75.0, gauge(0));
        assertEquals(45.0, gauge(1));
    }

    @Test
    void aPartitionWithNothingWaitingIsNeverStalled() {
        progress.waiting("t", 0, false);
        later(3600);

        assertEquals(List.of(), progress.stalled());
        assertEquals(0.0, gauge(0));
    }

    @Test
    void waitingStartsTheClockAfterAnIdleTime() {
        progress.progressed("t", 0);
        later(3600);
        progress.waiting("t", 0, true);
        later(59);

        assertEquals(List.of(), progress.stalled());
        later(1);
        assertEquals(List.of("t-0: 60 s"), progress.stalled());
    }

    @Test
    void aRevokedPartitionLeavesHealthAndMetrics() {
        progress.waiting("t", 0, true);
        later(120);
        progress.forget("t", 0);

        assertEquals(List.of(), progress.stalled());
        assertNull(registry.find("test.partition.seconds.without.progress").tag("partition", "0").gauge());
    }
}
