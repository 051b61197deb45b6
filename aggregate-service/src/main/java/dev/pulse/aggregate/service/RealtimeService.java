package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.RawStoreRepository;
import dev.pulse.aggregate.repository.RealtimeRepository;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.schema.RedisKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real time is derived state: PostgreSQL holds the truth. A failed Redis write therefore does not fail the
 * batch (retrying could not apply it: the events are no longer new); it marks the views stale, and so does a
 * Redis that lost its data, and the views of the window are then rebuilt from the raw store.
 * <p>
 * A rebuild runs on one replica at a time (a PostgreSQL advisory lock; another replica skips), reads the window
 * through a cursor one page at a time, and cannot count an event twice or miss one against live batches: at its
 * cut it waits for batches between their locks and their commit, bumps the epoch, clears the views and fixes
 * its snapshot. Batches committed before are in the snapshot, and their writes, if still to come, see a newer
 * epoch and are dropped; batches after write as usual.
 */
@ApplicationScoped
public class RealtimeService {
    private final RealtimeRepository realtime;
    private final RawStoreRepository rawStore;
    private final ReactiveRedisDataSource redis;
    private final Pool pool;
    private final AppLocks locks;
    private final AggregateConfig config;
    private final MeterRegistry registry;
    private final AtomicBoolean stale = new AtomicBoolean(false);

    public RealtimeService(RealtimeRepository realtime, RawStoreRepository rawStore, ReactiveRedisDataSource redis, Pool pool,
            AppLocks locks, AggregateConfig config, MeterRegistry registry) {
        this.realtime = realtime;
        this.rawStore = rawStore;
        this.redis = redis;
        this.pool = pool;
        this.locks = locks;
        this.config = config;
        this.registry = registry;
    }

    /** The epoch a batch's views belong to; -1 if Redis cannot tell (its views will then be rebuilt). */
    Uni<Long> epoch() {
        return realtime.epoch().onFailure().recoverWithItem(-1L);
    }

    /** @return whether the views took the events now; if not, a rebuild has them or is due and will bring them */
    public Uni<Boolean> record(AggregationService.Applied applied) {
        if (applied.epoch() < 0) {
            return missed(applied.fresh(), new IllegalStateException("the real-time epoch could not be read"));
        }
        return realtime.record(applied.fresh(), Instant.now(), applied.epoch())
                .onFailure().recoverWithUni(e -> missed(applied.fresh(), e));
    }

    private Uni<Boolean> missed(List<EnrichedEvent> fresh, Throwable e) {
        Log.warnf("real-time views missed %d events, a rebuild is due: %s", fresh.size(), e.toString());
        registry.counter("pulse.aggregate.realtime.failures").increment();
        stale.set(true);
        return Uni.createFrom().item(false);
    }

    /**
     * After an erasure (HyperLogLogs cannot forget a user): the views are rebuilt now, or, when another rebuild
     * holds the lock and its snapshot may predate the erasure, by this replica's next check.
     */
    public Uni<Void> rebuildAfterErasure() {
        return rebuild().invoke(written -> {
            if (written < 0) {
                stale.set(true);
            }
        }).replaceWithVoid();
    }

    @Scheduled(every = "${pulse.aggregate.realtime.check-every:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> rebuildIfLost() {
        // a check that cannot reach Redis loses nothing: the next one finds the marker gone if Redis lost its data.
        // Only a missed write or a failed rebuild is a reason to rebuild while the marker is there, so that
        // replicas rebuild once per loss, not once each.
        return redis.key().exists(RedisKeys.BUILT_MARKER).onFailure().invoke(e -> Log.warnf("real-time views: Redis unreachable: %s", e.toString()))
                .flatMap(present -> {
                    if (present && !stale.get()) {
                        return Uni.createFrom().voidItem();
                    }
                    boolean wasStale = stale.getAndSet(false);
                    return rebuild(!wasStale).invoke(written -> {
                        // another replica's rebuild holds the lock: its cut may predate this replica's missed write
                        if (written < 0 && wasStale) {
                            stale.set(true);
                        }
                    }).onFailure().invoke(e -> {
                        stale.compareAndSet(false, wasStale);
                        Log.warnf("real-time rebuild failed, will retry: %s", e.toString());
                    }).replaceWithVoid();
                }).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** @return the events the rebuild wrote, or -1 when another rebuild holds the lock */
    public Uni<Long> rebuild() {
        return rebuild(false);
    }

    /**
     * @param onlyIfLost skip it when the marker is back once the lock is taken: another replica, which saw the same
     *                   loss, has rebuilt the views meanwhile (a replica that missed a write of its own rebuilds anyway)
     * @return the events the rebuild wrote, or -1 when another rebuild holds the lock or did it meanwhile
     */
    private Uni<Long> rebuild(boolean onlyIfLost) {
        Instant now = Instant.now();
        return pool.withTransaction(lock -> locks.tryRealtimeRebuild(lock)
                .flatMap(mine -> mine && onlyIfLost ? redis.key().exists(RedisKeys.BUILT_MARKER).map(rebuilt -> !rebuilt) : Uni.createFrom().item(mine))
                .flatMap(mine -> !mine
                ? Uni.createFrom().item(-1L)
                : pool.withTransaction(snapshot -> snapshot.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
                        .flatMap(x -> locks.duringRealtimeCut(lock, () -> realtime.nextEpoch()
                                .call(epoch -> realtime.clear())
                                // the snapshot is fixed by its first query, taken while no batch can commit
                                .call(epoch -> snapshot.query("SELECT 1").execute())))
                        .flatMap(epoch -> rawStore.recent(snapshot, now.minus(config.realtime().window()), config.realtime().rebuildPageSize())
                                .onItem().transformToUniAndConcatenate(page -> realtime.record(page, now, epoch).replaceWith((long) page.size()))
                                .collect().with(java.util.stream.Collectors.summingLong(n -> n))))
                        // set while the lock is held: a replica that found the marker missing just after the lock's
                        // release would otherwise rebuild the views a second time
                        .call(written -> redis.value(String.class).set(RedisKeys.BUILT_MARKER, now.toString()))))
                .invoke(written -> {
                    if (written >= 0) {
                        registry.counter("pulse.aggregate.realtime.rebuilds").increment();
                        Log.infof("real-time views rebuilt from %d stored events", written);
                    }
                });
    }
}
