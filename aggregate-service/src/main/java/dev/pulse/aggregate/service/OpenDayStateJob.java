package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.DayStateRepository;
import dev.pulse.aggregate.repository.OpenDayStateRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Keeps the state of the days not over yet (V34) that batches add to. A day with rollup rows gets its base: holding the
 * day's lock, with the app's batches paused (none between its locks and its commit; at most {@link #PAUSE}) it tells batches to add to the day
 * and fixes a snapshot, then reads the day from the rollups in that snapshot, as DayStateJob reads a closed day, and
 * replaces the rows the snapshot sees. Every batch is then either in the base or adds its own share after it. The job
 * reads the base again when the app's version moves (a recompute, an erasure, retention), merges a day's rows
 * when a dimension has piled up more than {@link #ROWS_PER_VALUE} per value, and drops the days that are over.
 * Replicas may run together: a day one of them reads or merges is skipped by the others.
 */
@ApplicationScoped
public class OpenDayStateJob {
    /** Rows per value of a dimension before a day's are merged: query-api ORs each of them per call. */
    static final int ROWS_PER_VALUE = 4;
    /** How long the app's batches may wait for a base to fix its snapshot; beyond, the next run tries again. */
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private final Pool pool;
    private final OpenDayStateRepository repository;
    private final DayStateRepository dayStates;
    private final AppLocks locks;
    private final AggregateConfig.DayStates config;
    private final MeterRegistry registry;
    /** Days whose base failed, until when they wait: one that always fails does not hold up the rest. */
    private final Map<AppDay, Instant> failed = new ConcurrentHashMap<>();

    public OpenDayStateJob(Pool pool, OpenDayStateRepository repository, DayStateRepository dayStates, AppLocks locks, AggregateConfig config,
            MeterRegistry registry) {
        this.pool = pool;
        this.repository = repository;
        this.dayStates = dayStates;
        this.locks = locks;
        this.config = config.dayState();
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.aggregate.day-state.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> run() {
        return base().flatMap(x -> merge()).replaceWithVoid();
    }

    /** @return how many days got a base */
    public Uni<Long> base() {
        Instant now = Instant.now();
        failed.values().removeIf(until -> until.isBefore(now));
        return pool.withConnection(c -> repository.due(c, config.settle(), config.perRun() + failed.size()))
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due.stream().filter(d -> !failed.containsKey(d)).limit(config.perRun()).toList()))
                .onItem().transformToUniAndConcatenate(day -> base(day).onFailure().recoverWithItem(e -> {
                    if (failed("reading the base of", day, e)) {
                        failed.put(day, Instant.now().plus(config.retryAfter()));
                    }
                    return false;
                }))
                .filter(done -> done).collect().with(Collectors.counting())
                .invoke(n -> registry.counter("pulse.aggregate.open_day_state.based").increment(n));
    }

    private Uni<Boolean> base(AppDay day) {
        return pool.withTransaction(c -> dayStates.assignOrdinals(c, day.appId(), day.date()))
                .flatMap(x -> pool.withConnection(lock -> repository.tryLockSession(lock, day).flatMap(mine -> !mine ? Uni.createFrom().item(false)
                        : pool.withTransaction(snapshot -> dayStates.repeatableRead(snapshot)
                                // batches after the pause add to the day; those before it are in the snapshot its first query fixes
                                .flatMap(y -> locks.whileAppPaused(lock, day.appId(), PAUSE,
                                        () -> repository.begin(lock, day).call(z -> snapshot.query("SELECT 1").execute())))
                                .flatMap(z -> dayStates.read(snapshot, day.appId(), day.date(), config.maxValues()))
                                // a user met after the ordinals were given: the next run reads it again
                                .flatMap(read -> read == null ? Uni.createFrom().item(false) : repository.base(snapshot, day, read).replaceWith(true)))
                        .onTermination().call(() -> repository.unlock(lock, day)))));
    }

    /** @return how many days' rows were merged */
    public Uni<Long> merge() {
        return pool.withConnection(c -> repository.piledUp(c, ROWS_PER_VALUE))
                .onItem().transformToMulti(Multi.createFrom()::iterable)
                .onItem().transformToUniAndConcatenate(day -> pool.withTransaction(c -> dayStates.repeatableRead(c)
                        .flatMap(x -> repository.tryLock(c, day))
                        .flatMap(locked -> !locked ? Uni.createFrom().item(false) : repository.merge(c, day, config.maxValues()).replaceWith(true)))
                        .onFailure().recoverWithItem(e -> {
                            failed("merging the rows of", day, e);
                            return false;
                        }))
                .filter(done -> done).collect().with(Collectors.counting());
    }

    /**
     * Logs and counts a failure; @return whether it was one (not a change since the snapshot, nor batches that did not
     * pause in time, which the next run redoes)
     */
    private boolean failed(String what, AppDay day, Throwable e) {
        if (e instanceof PgException pg && ("40001".equals(pg.getSqlState()) || "55P03".equals(pg.getSqlState()))) {
            registry.counter("pulse.aggregate.open_day_state.conflicts").increment();
            return false;
        }
        Log.errorf(e, "%s the open day state of app %s, %s failed", what, day.appId(), day.date());
        registry.counter("pulse.aggregate.open_day_state.failures").increment();
        return true;
    }

    /** Drops the days three and more before today in UTC: over in every zone (and settled), read from the closed days' state. */
    public Uni<Integer> forgetOld(LocalDate utcToday) {
        return pool.withTransaction(c -> repository.forgetBefore(c, utcToday.minusDays(2)));
    }

    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOld() {
        return forgetOld(LocalDate.now(ZoneOffset.UTC)).replaceWithVoid();
    }
}
