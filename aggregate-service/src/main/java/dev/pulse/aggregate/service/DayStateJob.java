package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.DayStateRepository;
import dev.pulse.aggregate.repository.DayStateRepository.Due;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.vertx.pgclient.PgException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.time.ZoneOffset;

/**
 * Keeps the day state (V33) of every closed app-day of the last days: a day without one, or whose versions changed
 * since it was built (late events bump the day, a recompute, erasure or retention the app), is read from the rollups
 * again in one snapshot and replaced. A late event of a user with an ordinal usually changes its day's state in its own
 * batch instead (DayStateRepository.change), so those days are due only when that could not be done. Until then query-api reads that day from the rollups itself, so the state never
 * has to be current for answers to be exact. Replicas may run together: a day one of them builds is skipped by the others.
 */
@ApplicationScoped
public class DayStateJob {
    private final Pool pool;
    private final DayStateRepository repository;
    private final AggregateConfig.DayStates config;
    private final MeterRegistry registry;
    /** App-days whose build failed, until when they wait: one that always fails does not hold up the rest. */
    private final Map<Due, Instant> failed = new ConcurrentHashMap<>();

    public DayStateJob(Pool pool, DayStateRepository repository, AggregateConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.repository = repository;
        this.config = config.dayState();
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.aggregate.day-state.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> buildDue() {
        return build().replaceWithVoid();
    }

    /** @return how many app-days were built */
    public Uni<Long> build() {
        Instant now = Instant.now();
        failed.values().removeIf(until -> until.isBefore(now));
        return pool.withConnection(c -> repository.due(c, config.settle(), config.days(), config.perRun() + failed.size()))
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due.stream().filter(d -> !failed.containsKey(d)).limit(config.perRun()).toList()))
                .onItem().transformToUniAndConcatenate(due -> build(due)
                        // versions bumped or the day rebuilt by another replica since the snapshot: the next run builds it
                        .onFailure(e -> e instanceof PgException pg && "40001".equals(pg.getSqlState())).recoverWithItem(false)
                        .onFailure().recoverWithItem(e -> {
                    Log.errorf(e, "building the day state of app %s, %s failed; tried again after %s", due.appId(), due.day(), config.retryAfter());
                    registry.counter("pulse.aggregate.day_state.failures").increment();
                    failed.put(due, Instant.now().plus(config.retryAfter()));
                    return false;
                }))
                .filter(built -> built).collect().with(java.util.stream.Collectors.counting())
                .invoke(built -> registry.counter("pulse.aggregate.day_state.built").increment(built));
    }

    private Uni<Boolean> build(Due due) {
        return pool.withTransaction(c -> repository.assignOrdinals(c, due.appId(), due.day()))
                .flatMap(x -> pool.withTransaction(c -> repository.repeatableRead(c)
                        .flatMap(y -> repository.tryLock(c, due.appId(), due.day()))
                        .flatMap(locked -> !locked ? Uni.createFrom().item(false) : repository.read(c, due.appId(), due.day(), config.maxValues())
                                // a user met after the ordinals were given: the next run gives them one
                                .flatMap(read -> read == null ? Uni.createFrom().item(false)
                                        : repository.write(c, due.appId(), due.day(), read).replaceWith(true)))));
    }

    /** Drops the state of days older than any app keeps (every app's today is within a day of UTC's). */
    public Uni<Integer> forgetOld(LocalDate utcToday) {
        return pool.withTransaction(c -> repository.forgetBefore(c, utcToday.minusDays(config.days() + 2L)));
    }

    @Scheduled(every = "1h", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetOld() {
        return forgetOld(LocalDate.now(ZoneOffset.UTC)).invoke(n -> {
            if (n > 0) {
                Log.infof("dropped the day state of %d app-days past the %d days kept", n, config.days());
            }
        }).replaceWithVoid();
    }
}
