package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.aggregate.repository.PartitionRepository;
import dev.pulse.aggregate.repository.SessionRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Keeps raw-store partitions ready a few days ahead (every app timezone's today falls within UTC ±1 day) and
 * drops those past retention; rejections (invalid_events) are kept as long. Replicas coordinate partition changes
 * through a PostgreSQL advisory lock; deleting old rejections, forgetting resends counted longer ago than the
 * ledger keeps them and the session ends of past days are idempotent, so replicas may do them together.
 */
@ApplicationScoped
public class PartitionMaintenanceJob {
    /** Rejections deleted per statement. */
    static final int DELETE_BATCH = 10_000;
    private final PartitionRepository partitions;
    private final InvalidEventRepository invalidEvents;
    private final SessionRepository sessions;
    private final AggregateConfig config;
    private final MeterRegistry registry;

    public PartitionMaintenanceJob(PartitionRepository partitions, InvalidEventRepository invalidEvents, SessionRepository sessions,
            AggregateConfig config, MeterRegistry registry) {
        this.partitions = partitions;
        this.sessions = sessions;
        this.invalidEvents = invalidEvents;
        this.config = config;
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.aggregate.partitions.check-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> maintain() {
        return maintain(LocalDate.now(ZoneOffset.UTC), DELETE_BATCH);
    }

    /** One run as of the UTC day {@code today}, deleting rejections {@code batch} rows per statement. */
    public Uni<Void> maintain(LocalDate today, int batch) {
        int retention = config.partitions().retentionDays();
        LocalDate keepFrom = retention <= 0 ? null : today.minusDays(retention);
        return partitions.maintain(today.minusDays(1), today.plusDays(config.partitions().daysAhead()), keepFrom)
                .invoke(changed -> {
                    if (!changed.isEmpty()) {
                        Log.infof("raw-store partitions changed: %s", changed);
                    }
                    // dropped partitions are listed with a leading '-'
                    long dropped = changed.stream().filter(name -> name.startsWith("-")).count();
                    registry.counter("pulse.aggregate.partitions.changed", "change", "created").increment(changed.size() - dropped);
                    registry.counter("pulse.aggregate.partitions.changed", "change", "dropped").increment(dropped);
                })
                .flatMap(changed -> keepFrom == null ? Uni.createFrom().item(0L)
                        : invalidEvents.deleteRejectedBefore(keepFrom.atStartOfDay(ZoneOffset.UTC).toInstant(), batch))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        Log.infof("deleted %d rejections older than the %d days kept", deleted, retention);
                    }
                })
                .call(x -> invalidEvents.forgetResendsCountedBefore(Instant.now().minus(Duration.ofDays(config.partitions().resendLedgerDays()))))
                // the session ends serve the in-order events of every app's today and yesterday; a later event for an
                // older day recomputes its user-day's sessions from the raw store
                .call(x -> sessions.forgetEndsBefore(today.minusDays(2), batch).invoke(dropped -> {
                    if (dropped > 0) {
                        Log.infof("dropped %d session ends of days before %s", dropped, today.minusDays(2));
                    }
                }))
                .replaceWithVoid();
    }
}
