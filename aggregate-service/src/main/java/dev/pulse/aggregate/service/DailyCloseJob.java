package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.DailyCloseRepository;
import dev.pulse.aggregate.repository.DailyCloseRepository.Check;
import dev.pulse.aggregate.repository.DailyCloseRepository.DueDay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/**
 * Closes each app-local day once it has ended in the app's timezone (plus a grace period): checks that the
 * incrementally kept facts agree with the raw store, rebuilds the day from the raw store when they do not, and
 * writes the day's data-quality snapshot. Datelists and monthly reduced arrays need no end-of-day step here:
 * every batch keeps them current, and the check covers them. One transaction per app-day under a try-lock, so
 * several replicas never close the same day twice.
 */
@ApplicationScoped
public class DailyCloseJob {
    /** What closing one app-day found. */
    public record Closed(DueDay day, Check check, boolean repaired) {
    }

    private final Pool pool;
    private final DailyCloseRepository repository;
    private final RecomputeService recompute;
    private final AggregateConfig config;
    private final MeterRegistry registry;

    public DailyCloseJob(Pool pool, DailyCloseRepository repository, RecomputeService recompute, AggregateConfig config,
            MeterRegistry registry) {
        this.pool = pool;
        this.repository = repository;
        this.recompute = recompute;
        this.config = config;
        this.registry = registry;
        // both outcomes exist from the start: an alert on increase() misses the first increment of a series it never saw
        for (String result : List.of("consistent", "repaired")) {
            registry.counter("pulse.aggregate.days.closed", "result", result);
        }
    }

    @Scheduled(every = "${pulse.aggregate.close.check-every:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> closeEndedDays() {
        // the database's clock, not this replica's: with several replicas, the fastest clock would decide when a day ends
        return pool.query("SELECT now()").execute()
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant())
                .flatMap(now -> closeDaysEndedBy(now.minus(config.close().grace()))).replaceWithVoid();
    }

    /** Closes every app-day that ended before {@code asOf}; @return the days this replica closed (a null item is skipped) */
    public Uni<List<Closed>> closeDaysEndedBy(Instant asOf) {
        // a day whose raw partition retention already dropped must not be "repaired" from the raw store
        int retention = config.partitions().retentionDays();
        int lookback = retention <= 0 ? config.close().lookbackDays() : Math.min(config.close().lookbackDays(), retention - 1);
        return repository.due(asOf, lookback)
                .onItem().transformToMulti(days -> Multi.createFrom().iterable(days))
                .onItem().transformToUniAndConcatenate(day -> pool.withTransaction(connection -> close(connection, day)))
                .collect().asList();
    }

    private Uni<Closed> close(SqlConnection connection, DueDay day) {
        return repository.tryLock(connection, day)
                .flatMap(locked -> locked ? repository.closed(connection, day) : Uni.createFrom().item(true))
                .flatMap(done -> done ? Uni.createFrom().nullItem() : repository.check(connection, day).flatMap(check -> {
                    if (check.consistent()) {
                        return repository.snapshot(connection, day, true, false).replaceWith(new Closed(day, check, false));
                    }
                    Log.warnf("closing %s %s: facts disagree with the raw store (%s); rebuilding the day", day.appId(), day.date(), check);
                    return recompute.rebuildDay(connection, day.appId(), day.date())
                            .flatMap(n -> repository.check(connection, day))
                            .flatMap(after -> repository.snapshot(connection, day, after.consistent(), true)
                                    .replaceWith(new Closed(day, after, true)));
                }))
                .invoke(closed -> {
                    if (closed != null) {
                        registry.counter("pulse.aggregate.days.closed", "result", closed.repaired() ? "repaired" : "consistent").increment();
                    }
                });
    }
}
