package dev.pulse.enrich.service;

import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.repository.DedupRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the dedup table to its retention window; replicas may run it together: each deletes in batches, a row once.
 */
@ApplicationScoped
public class DedupRetentionJob {
    /** Rows deleted per statement: no statement holds many row locks or runs long, however many ids expire at once. */
    static final int DELETE_BATCH = 10_000;
    private final DedupRepository repository;
    private final EnrichConfig config;
    private final MeterRegistry registry;

    public DedupRetentionJob(DedupRepository repository, EnrichConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.config = config;
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.enrich.dedup-cleanup-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOldIds() {
        return repository.forgetOlderThan(config.dedupRetention(), DELETE_BATCH)
                .invoke(deleted -> {
                    registry.counter("pulse.enrich.dedup.forgotten").increment(deleted);
                    Log.infof("dedup retention: forgot %d event ids", deleted);
                })
                .replaceWithVoid();
    }
}
