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

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.stream.Collectors;

/**
 * Keeps the state of the days not over yet (V34) that batches add to. A day with rollup rows gets its base: under the
 * real-time cut (no batch between its locks and its commit) batches are told to add to it and a snapshot is fixed,
 * then the day is read from the rollups in that snapshot, as DayStateJob reads a closed day, and replaces the rows the
 * snapshot sees. Every batch is then either in the base or adds its own share after it. The job reads the base again
 * when the app's version moves (a recompute, an erasure, a session rebuild), merges a day's rows when batches have
 * piled up more than {@link #ROWS_PER_VALUE} per value, and drops the days that are over. Replicas may run together:
 * a day one of them reads or merges is skipped by the others.
 */
@ApplicationScoped
public class OpenDayStateJob {
    /** Rows per value, on average, before a day's are merged: query-api ORs each of them per call. */
    static final int ROWS_PER_VALUE = 4;

    private final Pool pool;
    private final OpenDayStateRepository repository;
    private final DayStateRepository dayStates;
    private final AppLocks locks;
    private final AggregateConfig.DayStates config;
    private final MeterRegistry registry;

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
        return pool.withConnection(c -> repository.due(c, config.settle(), config.perRun()))
                .onItem().transformToMulti(Multi.createFrom()::iterable)
                .onItem().transformToUniAndConcatenate(day -> base(day).onFailure().recoverWithItem(e -> failed("reading the base of", day, e)))
                .filter(done -> done).collect().with(Collectors.counting())
                .invoke(n -> registry.counter("pulse.aggregate.open_day_state.based").increment(n));
    }

    private Uni<Boolean> base(AppDay day) {
        return pool.withTransaction(c -> dayStates.assignOrdinals(c, day.appId(), day.date()))
                .flatMap(x -> pool.withConnection(lock -> pool.withTransaction(snapshot -> dayStates.repeatableRead(snapshot)
                        // batches after the cut add to the day; those before it are in the snapshot its first query fixes
                        .flatMap(y -> locks.duringRealtimeCut(lock, () -> repository.begin(lock, day).flatMap(z -> repository.tryLock(snapshot, day))))
                        .flatMap(locked -> !locked ? Uni.createFrom().item(false) : dayStates.read(snapshot, day.appId(), day.date(), config.maxValues())
                                // a user met after the ordinals were given: the next run reads it again
                                .flatMap(read -> read == null ? Uni.createFrom().item(false)
                                        : repository.base(snapshot, day, read).replaceWith(true))))));
    }

    /** @return how many days' rows were merged */
    public Uni<Long> merge() {
        return pool.withConnection(c -> repository.piledUp(c, ROWS_PER_VALUE))
                .onItem().transformToMulti(Multi.createFrom()::iterable)
                .onItem().transformToUniAndConcatenate(day -> pool.withTransaction(c -> dayStates.repeatableRead(c)
                        .flatMap(x -> repository.tryLock(c, day))
                        .flatMap(locked -> !locked ? Uni.createFrom().item(false) : repository.merge(c, day).replaceWith(true)))
                        .onFailure().recoverWithItem(e -> failed("merging the rows of", day, e)))
                .filter(done -> done).collect().with(Collectors.counting());
    }

    private boolean failed(String what, AppDay day, Throwable e) {
        // another replica's base or merge, or an app's version bumped, since the snapshot: the next run does it
        if (!(e instanceof PgException pg && "40001".equals(pg.getSqlState()))) {
            Log.errorf(e, "%s the open day state of app %s, %s failed; tried again next run", what, day.appId(), day.date());
            registry.counter("pulse.aggregate.open_day_state.failures").increment();
        }
        return false;
    }

    /** Drops the days before yesterday in UTC: over in every zone, and read from the closed days' state. */
    public Uni<Integer> forgetOld(LocalDate utcToday) {
        return pool.withTransaction(c -> repository.forgetBefore(c, utcToday.minusDays(2)));
    }

    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOld() {
        return forgetOld(LocalDate.now(ZoneOffset.UTC)).replaceWithVoid();
    }
}
