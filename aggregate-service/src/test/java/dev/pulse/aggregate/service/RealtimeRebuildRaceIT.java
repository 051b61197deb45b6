package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.RawStoreRepository;
import dev.pulse.aggregate.repository.RealtimeRepository;
import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.testing.PulseInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One real-time rebuild per loss with two replicas (issue 19; found by a review): a replica whose check saw the
 * marker missing, and whose try-lock comes after another replica's rebuild has committed (here: its pool busy with
 * batches for a moment), must not clear and replay the views a second time — it looks at the marker again under
 * the lock.
 */
@QuarkusTest
@TestProfile(RealtimeRebuildRaceIT.RareChecks.class)
@WithTestResource(PulseInfrastructure.class)
class RealtimeRebuildRaceIT {
    /** The service's own scheduled check does not run during the test (at most once, at start). */
    public static class RareChecks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.aggregate.realtime.check-every", "1h");
        }
    }

    @Inject
    RealtimeService replicaA;
    @Inject
    RealtimeRepository realtime;
    @Inject
    RawStoreRepository rawStore;
    @Inject
    ReactiveRedisDataSource reactiveRedis;
    @Inject
    RedisDataSource redis;
    @Inject
    AppLocks locks;
    @Inject
    AggregateConfig config;
    @Inject
    Vertx vertx;

    @Test
    void aReplicaThatSawTheMarkerMissingDoesNotRebuildAgainAfterAnotherReplicaRebuilt() throws Exception {
        // replica B: its own connection pool, as its own process would have, and its own counters
        PgConnectOptions connect = PgConnectOptions.fromUri(ConfigProvider.getConfig().getValue("quarkus.datasource.reactive.url", String.class))
                .setUser("postgres").setPassword("postgres");
        Pool poolB = PgPool.pool(vertx, connect, new PoolOptions().setMaxSize(2));
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        RealtimeService replicaB = new RealtimeService(realtime, rawStore, reactiveRedis, poolB, locks, config, registryB);
        try {
            // the views are complete
            replicaA.rebuild().await().atMost(Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(60)).until(() -> redis.key().exists(RedisKeys.BUILT_MARKER));

            // Redis loses its data
            redis.flushall();

            // B's connections are busy for a moment (its batches), between its marker check and its try-lock
            SqlConnection busy1 = poolB.getConnection().await().atMost(Duration.ofSeconds(10));
            SqlConnection busy2 = poolB.getConnection().await().atMost(Duration.ofSeconds(10));
            CompletableFuture<Void> checkB = replicaB.rebuildIfLost().subscribeAsCompletionStage();
            // B has read "no marker" and waits for a connection as long as its pool is busy
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !checkB.isDone());

            // A's check found the loss at the same moment and rebuilds, setting the marker under its lock
            long written = replicaA.rebuild().await().atMost(Duration.ofSeconds(60));
            assertTrue(written >= 0, "A rebuilt the views");
            assertTrue(redis.key().exists(RedisKeys.BUILT_MARKER), "the marker is back: the views are complete");

            busy1.closeAndAwait();
            busy2.closeAndAwait();
            checkB.get(60, TimeUnit.SECONDS);

            double rebuildsByB = registryB.counter("pulse.aggregate.realtime.rebuilds").count();
            assertEquals(0.0, rebuildsByB, "B rebuilt (cleared and replayed) the views again although A had just rebuilt them "
                    + "and the marker was present when B took the rebuild lock");
        } finally {
            poolB.closeAndAwait();
        }
    }
}
