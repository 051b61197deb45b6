package dev.pulse.aggregate.service;

import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.FactResetRepository;
import dev.pulse.aggregate.repository.RawStoreRepository;
import dev.pulse.aggregate.repository.RetentionRepository;
import dev.pulse.web.problem.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Set;

/**
 * Rebuilds an app's facts for a date range from the raw store: per day, in one transaction holding the app's
 * lock, the day's additive facts are emptied and its stored events replayed through the very code of the
 * incremental path, so both give the same result and running it twice changes nothing.
 */
@ApplicationScoped
public class RecomputeService {
    private final Pool pool;
    private final AppLocks locks;
    private final FactResetRepository reset;
    private final RawStoreRepository rawStore;
    private final AggregationService aggregation;
    private final ClosedDayVersionRepository closedDays;
    private final RetentionRepository retention;

    public RecomputeService(Pool pool, AppLocks locks, FactResetRepository reset, RawStoreRepository rawStore,
            AggregationService aggregation, ClosedDayVersionRepository closedDays, RetentionRepository retention) {
        this.closedDays = closedDays;
        this.retention = retention;
        this.pool = pool;
        this.locks = locks;
        this.reset = reset;
        this.rawStore = rawStore;
        this.aggregation = aggregation;
    }

    /** @return the number of events replayed */
    public Uni<Long> recompute(String appId, LocalDate from, LocalDate to) {
        return retention.firstKeptDay(appId, Instant.now()).flatMap(first -> {
            // retention deleted those days' raw events but kept their aggregates without user ids: a rebuild would wipe them
            if (first.isPresent() && from.isBefore(first.get())) {
                throw ProblemException.badRequest("from: days before " + first.get() + " are past the app's retention (their raw events are deleted)",
                        "from");
            }
            return recomputeDays(appId, from, to);
        });
    }

    private Uni<Long> recomputeDays(String appId, LocalDate from, LocalDate to) {
        Uni<Long> total = Uni.createFrom().item(0L);
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            LocalDate date = day;
            total = total.flatMap(sum -> pool.withTransaction(connection -> rebuildDay(connection, appId, date)).map(n -> sum + n));
        }
        return total.invoke(n -> Log.infof("recomputed %s from %s to %s: %d events replayed", appId, from, to, n));
    }

    /** Rebuilds one app-day within the caller's transaction; @return the number of events replayed */
    public Uni<Long> rebuildDay(SqlConnection connection, String appId, LocalDate date) {
        return locks.exclusive(connection, appId)
                .flatMap(x -> reset.reset(connection, appId, date))
                .flatMap(x -> rawStore.ofDay(connection, appId, date))
                .flatMap(events -> aggregation.applyFacts(connection, events)
                        .flatMap(x -> closedDays.bump(connection, Set.of(appId)))
                        .replaceWith((long) events.size()));
    }
}
