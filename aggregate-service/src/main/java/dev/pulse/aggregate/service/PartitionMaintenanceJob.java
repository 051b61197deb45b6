package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.aggregate.repository.PartitionRepository;
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
 * drops those past retention (replicas coordinate through a PostgreSQL advisory lock), and forgets resends counted
 * longer ago than the ledger keeps them (idempotent).
 */
@ApplicationScoped
public class PartitionMaintenanceJob {
    private final PartitionRepository partitions;
    private final InvalidEventRepository invalidEvents;
    private final AggregateConfig config;

    public PartitionMaintenanceJob(PartitionRepository partitions, InvalidEventRepository invalidEvents, AggregateConfig config) {
        this.partitions = partitions;
        this.invalidEvents = invalidEvents;
        this.config = config;
    }

    @Scheduled(every = "${pulse.aggregate.partitions.check-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> maintain() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        int retention = config.partitions().retentionDays();
        return partitions.maintain(today.minusDays(1), today.plusDays(config.partitions().daysAhead()),
                        retention <= 0 ? null : today.minusDays(retention))
                .invoke(changed -> {
                    if (!changed.isEmpty()) {
                        Log.infof("raw-store partitions changed: %s", changed);
                    }
                })
                .call(x -> invalidEvents.forgetResendsCountedBefore(Instant.now().minus(Duration.ofDays(config.partitions().resendLedgerDays()))))
                .replaceWithVoid();
    }
}
