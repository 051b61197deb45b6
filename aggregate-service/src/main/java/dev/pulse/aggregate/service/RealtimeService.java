package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.RawStoreRepository;
import dev.pulse.contract.RealtimeKeys;
import dev.pulse.aggregate.repository.RealtimeRepository;
import dev.pulse.contract.EnrichedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real time is derived state: PostgreSQL holds the truth. A failed Redis write therefore does not fail the
 * batch (retrying could not apply it: the events are no longer new); it marks the views stale, and so does a
 * Redis that lost its data, and the views of the window are then rebuilt from the raw store.
 */
@ApplicationScoped
public class RealtimeService {
    private final RealtimeRepository realtime;
    private final RawStoreRepository rawStore;
    private final ReactiveRedisDataSource redis;
    private final AggregateConfig config;
    private final MeterRegistry registry;
    private final AtomicBoolean stale = new AtomicBoolean(false);

    public RealtimeService(RealtimeRepository realtime, RawStoreRepository rawStore, ReactiveRedisDataSource redis,
            AggregateConfig config, MeterRegistry registry) {
        this.realtime = realtime;
        this.rawStore = rawStore;
        this.redis = redis;
        this.config = config;
        this.registry = registry;
    }

    /** @return whether the views took the events; if not, a rebuild from the raw store is due and will bring them */
    public Uni<Boolean> record(List<EnrichedEvent> fresh) {
        return realtime.record(fresh, Instant.now()).replaceWith(true).onFailure().recoverWithUni(e -> {
            Log.warnf("real-time views missed %d events, a rebuild is due: %s", fresh.size(), e.toString());
            registry.counter("pulse.aggregate.realtime.failures").increment();
            stale.set(true);
            return Uni.createFrom().item(false);
        });
    }

    /** Replaces one app's views by a build from the raw store (after an erasure: HyperLogLogs cannot forget a user). */
    public Uni<Void> rebuild(String appId) {
        Instant now = Instant.now();
        return rawStore.ofAppSince(appId, now.minus(realtime.dayTtl()).atZone(ZoneOffset.UTC).toLocalDate().minusDays(1))
                .flatMap(events -> realtime.clear(appId).flatMap(x -> realtime.record(events, now))
                        .invoke(() -> Log.infof("real-time views of %s rebuilt from %d stored events", appId, events.size())));
    }

    @Scheduled(every = "${pulse.aggregate.realtime.check-every:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> rebuildIfLost() {
        return redis.key().exists(RealtimeKeys.BUILT_MARKER).flatMap(present -> {
            if (present && !stale.get()) {
                return Uni.createFrom().voidItem();
            }
            stale.set(false);
            Instant now = Instant.now();
            return rawStore.recent(now.minus(config.realtime().window()))
                    .flatMap(events -> realtime.clear().flatMap(x -> realtime.record(events, now))
                            .invoke(() -> Log.infof("real-time views rebuilt from %d stored events", events.size())))
                    .flatMap(x -> redis.value(String.class).set(RealtimeKeys.BUILT_MARKER, now.toString()));
        }).onFailure().invoke(e -> {
            stale.set(true);
            Log.warnf("real-time rebuild failed, will retry: %s", e.toString());
        }).onFailure().recoverWithNull().replaceWithVoid();
    }
}
