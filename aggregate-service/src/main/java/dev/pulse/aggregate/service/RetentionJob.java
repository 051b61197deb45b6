package dev.pulse.aggregate.service;

import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.RetentionRepository;
import dev.pulse.aggregate.repository.RetentionRepository.Due;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Enforces each app's retention (set through ingest's admin API): one transaction per app, under a try-lock (one
 * replica per app) and the app's exclusive lock (no batch of the app interleaves, so a late event of a day being
 * deleted waits and lands after, to go at the next run).
 */
@ApplicationScoped
public class RetentionJob {
    /** What one app's run deleted. */
    public record Enforced(Due due, Map<String, Long> deleted) {
    }

    private final Pool pool;
    private final RetentionRepository repository;
    private final AppLocks locks;
    private final MeterRegistry registry;
    private final ClosedDayVersionRepository closedDays;

    public RetentionJob(Pool pool, RetentionRepository repository, AppLocks locks, MeterRegistry registry, ClosedDayVersionRepository closedDays) {
        this.closedDays = closedDays;
        this.pool = pool;
        this.repository = repository;
        this.locks = locks;
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.aggregate.retention.check-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> enforceNow() {
        return enforce(Instant.now()).replaceWithVoid();
    }

    /** @return what this replica deleted, per app whose retention it enforced */
    public Uni<List<Enforced>> enforce(Instant now) {
        return repository.due(now)
                .onItem().transformToMulti(apps -> Multi.createFrom().iterable(apps))
                .onItem().transformToUniAndConcatenate(due -> pool.withTransaction(connection -> repository.tryLock(connection, due.appId())
                        .flatMap(locked -> locked
                                ? locks.exclusive(connection, due.appId()).flatMap(x -> repository.delete(connection, due))
                                        // query-api caches closed days' answers, per-user partials included, under the app's version
                                        .call(deleted -> RetentionRepository.changesAnswers(deleted)
                                                ? closedDays.bump(connection, Set.of(due.appId())) : Uni.createFrom().voidItem())
                                        .map(deleted -> new Enforced(due, deleted))
                                : Uni.createFrom().nullItem())))
                .invoke(this::report)
                .collect().asList();
    }

    private void report(Enforced enforced) {
        enforced.deleted().forEach((table, n) -> registry.counter("pulse.aggregate.retention.deleted", "table", table).increment(n));
        if (enforced.deleted().values().stream().anyMatch(n -> n > 0)) {
            Log.infof("retention of %s (before %s): deleted %s", enforced.due().appId(), enforced.due().cutoff(), enforced.deleted());
        }
    }
}
