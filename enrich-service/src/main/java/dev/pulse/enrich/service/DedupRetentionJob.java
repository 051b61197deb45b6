package dev.pulse.enrich.service;

import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.repository.DedupRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Keeps the dedup table to its retention window; replicas may run it together, DELETE is idempotent. */
@ApplicationScoped
public class DedupRetentionJob {
    private final DedupRepository repository;
    private final EnrichConfig config;

    public DedupRetentionJob(DedupRepository repository, EnrichConfig config) {
        this.repository = repository;
        this.config = config;
    }

    @Scheduled(every = "${pulse.enrich.dedup-cleanup-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOldIds() {
        return repository.forgetOlderThan(config.dedupRetention())
                .invoke(deleted -> Log.infof("dedup retention: forgot %d event ids", deleted))
                .replaceWithVoid();
    }
}
