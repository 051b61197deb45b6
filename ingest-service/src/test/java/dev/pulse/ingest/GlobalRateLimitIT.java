package dev.pulse.ingest;

import dev.pulse.schema.RedisKeys;
import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.ingest.service.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntSupplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ingest replicas, each with its own {@link RateLimiter}, its own Redis connections and its own metrics, over
 * one real Redis: together they admit what one global bucket allows, not twice that; with Redis gone they keep
 * admitting through their local buckets, counted, and no call waits longer than the Redis timeout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GlobalRateLimitIT {
    private static final double RATE = 100;
    private static final double BURST = 200;
    private static final int EVENTS_PER_REQUEST = 5;
    private static final Duration LOAD = Duration.ofSeconds(3);
    private static final int CLIENTS_PER_REPLICA = 4;
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * Beyond the Redis timeout, what a call may take for thread scheduling and the timer's own delay on a busy machine
     * (204 ms seen once on 2 cores under a parallel build). The point is that no call waits for the Redis client's own
     * timeouts, which are seconds.
     */
    private static final Duration SCHEDULING_SLACK = Duration.ofMillis(400);
    private static final String FALLBACK = "pulse.ingest.rate.limit.fallback";

    private record Settings(boolean enabled, Duration timeout, Duration retryAfter, Duration logInterval)
            implements IngestConfig.RateLimit.Redis {
    }

    private record Limits(double eventsPerSecond, double burst, IngestConfig.RateLimit.Redis redis) implements IngestConfig.RateLimit {
    }

    /** One ingest replica's limiter: its own Redis client (connection pool), its own registry. */
    private record Replica(RateLimiter limiter, SimpleMeterRegistry registry, Redis client) {
        /** The alert's series: 1 while Redis decides, 0 after a decision fell back. */
        double global() {
            return registry.get("pulse.ingest.rate.limit.global").gauge().value();
        }

        double fallbacks(String app) {
            Counter counter = registry.find(FALLBACK).tag("app", app).counter();
            return counter == null ? 0 : counter.count();
        }
    }

    private static final Limits LIMITS = new Limits(RATE, BURST, new Settings(true, TIMEOUT, RETRY_AFTER, Duration.ofSeconds(30)));

    private static Vertx vertx;
    private static RedisServer redisServer;
    private static int redisPort;
    private static ReactiveRedisDataSource probe;
    private static Replica a;
    private static Replica b;

    @BeforeAll
    static void start() throws IOException {
        redisPort = freePort();
        redisServer = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort)
                .setting("save \"\"").setting("appendonly no").build();
        redisServer.start();
        vertx = Vertx.vertx();
        Redis probeClient = client("redis://127.0.0.1:" + redisPort);
        probe = new ReactiveRedisDataSourceImpl(vertx, probeClient, RedisAPI.api(probeClient));
        a = replica("redis://127.0.0.1:" + redisPort, LIMITS);
        b = replica("redis://127.0.0.1:" + redisPort, LIMITS);
        warm(a);
        warm(b);
    }

    /**
     * As a started service would be: connections open and the client's classes loaded, so that a load measures the
     * limit, not a cold start (whose first calls may exceed the timeout and fall back, counted).
     */
    private static void warm(Replica r) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            double before = r.fallbacks("warm-up");
            List<Integer> waits = io.smallrye.mutiny.Uni.join().all(java.util.stream.IntStream.range(0, CLIENTS_PER_REPLICA)
                    .mapToObj(i -> r.limiter().tryAcquire("warm-up", 1)).toList()).andFailFast().await().atMost(Duration.ofSeconds(5));
            return waits.size() == CLIENTS_PER_REPLICA && r.fallbacks("warm-up") == before;
        });
    }

    @AfterAll
    static void stop() throws IOException {
        for (Replica r : new Replica[] {a, b}) {
            if (r != null) {
                r.client().close();
            }
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (redisServer != null) {
            redisServer.stop();
        }
    }

    @Test
    @Order(1)
    void twoReplicasTogetherAdmitWhatOneGlobalBucketAllows() throws Exception {
        // a timeout no busy machine reaches: a call that timed out would be decided by its replica's local bucket
        // (fail open, as designed), and this test is about the global one; the timeout is the later tests' subject
        Limits patient = new Limits(RATE, BURST, new Settings(true, Duration.ofSeconds(5), RETRY_AFTER, Duration.ofSeconds(30)));
        Replica x = replica("redis://127.0.0.1:" + redisPort, patient);
        Replica y = replica("redis://127.0.0.1:" + redisPort, patient);
        try {
            warm(x);
            warm(y);
            oneGlobalBucket(x, y);
        } finally {
            x.client().close();
            y.client().close();
        }
    }

    private static void oneGlobalBucket(Replica a, Replica b) throws Exception {
        String app = "global-" + System.nanoTime();
        long redisBefore = redisMicros();
        long localBefore = System.nanoTime();
        long[] admitted = load(a, b, app);
        long localElapsed = System.nanoTime() - localBefore;
        long redisElapsed = redisMicros() - redisBefore;
        long total = admitted[0] + admitted[1];

        // every script run fell between the two TIME calls, on the clock the script itself reads
        double allowed = BURST + RATE * redisElapsed / 1e6;
        // the bucket is stored with 6 decimals: each write may round by half a millionth of a token
        double rounding = admitted[2] * 0.5e-6;
        System.out.printf("global bucket: admitted %d + %d = %d events in %.3f s (Redis clock; %.3f s local) over %d calls; "
                + "allowed %.1f; a single bucket-per-replica would allow %.1f%n",
                admitted[0], admitted[1], total, redisElapsed / 1e6, localElapsed / 1e9, admitted[2], allowed, 2 * allowed);
        assertTrue(total <= allowed + rounding, "admitted " + total + " > allowed " + allowed);
        // the offered load far exceeds the rate, so the global bucket is spent as it refills: close to what it allows,
        // far above what either replica got (each had a share), and nowhere near twice
        assertTrue(total >= 0.9 * allowed, "admitted " + total + " of " + allowed + ": the limit is stricter than configured");
        assertTrue(admitted[0] > 0 && admitted[1] > 0, "both replicas admitted events: " + admitted[0] + ", " + admitted[1]);
        assertEquals(0, a.fallbacks(app) + b.fallbacks(app), "Redis decided every call");

        // the bucket: a hash under the app's hash tag, expiring once it would be full again (burst / rate + 1 s)
        String key = RedisKeys.rateLimit(app);
        assertEquals("rl:{" + app + "}", key);
        Response fields = probe.execute("HMGET", key, "tokens", "ts").await().atMost(Duration.ofSeconds(5));
        assertTrue(fields.get(0) != null && fields.get(1) != null, "tokens and ts in " + key);
        long ttl = probe.execute("PTTL", key).await().atMost(Duration.ofSeconds(5)).toLong();
        assertTrue(ttl > 0 && ttl <= (long) (BURST / RATE * 1000) + 1000, "PTTL " + ttl);
    }

    @Test
    @Order(2)
    void withoutRedisEachReplicaWouldAdmitTheWholeRateItself() throws Exception {
        // the control: the same load on replicas that decide alone (the limit before it was global) admits about twice
        Limits localOnly = new Limits(RATE, BURST, new Settings(false, TIMEOUT, RETRY_AFTER, Duration.ofSeconds(30)));
        Replica x = replica("redis://127.0.0.1:" + redisPort, localOnly);
        Replica y = replica("redis://127.0.0.1:" + redisPort, localOnly);
        try {
            long before = System.nanoTime();
            long[] admitted = load(x, y, "local-" + System.nanoTime());
            double elapsed = (System.nanoTime() - before) / 1e9;
            double oneBucket = BURST + RATE * elapsed;
            System.out.printf("per-replica buckets: admitted %d + %d = %d events in %.3f s; one global bucket allows %.1f%n",
                    admitted[0], admitted[1], admitted[0] + admitted[1], elapsed, oneBucket);
            assertTrue(admitted[0] + admitted[1] > 1.5 * oneBucket, "this load would show a limit that multiplies with replicas");
        } finally {
            x.client().close();
            y.client().close();
        }
    }

    @Test
    @Order(3)
    void redisStoppedFailsOpenCountedAndQuick() throws Exception {
        String app = "outage-" + System.nanoTime();
        assertEquals(0, a.limiter().tryAcquire(app, 1).await().atMost(Duration.ofSeconds(5)), "Redis answers before the outage");
        assertEquals(1.0, a.global(), "Redis decides");
        redisServer.stop();
        try {
            int calls = 30; // 150 events: within the local burst, so every call must pass
            for (Replica r : new Replica[] {a, b}) {
                double before = r.fallbacks(app);
                long slowest = 0;
                for (int i = 0; i < calls; i++) {
                    long start = System.nanoTime();
                    int wait = r.limiter().tryAcquire(app, EVENTS_PER_REQUEST).await().atMost(Duration.ofSeconds(5));
                    slowest = Math.max(slowest, System.nanoTime() - start);
                    assertEquals(0, wait, "call " + i + " passes through the local bucket");
                }
                assertEquals(before + calls, r.fallbacks(app), "every call decided locally is counted");
                assertEquals(0.0, r.global(), "the alert's gauge shows the instance limits on its own");
                System.out.printf("Redis stopped: %d calls, slowest %.1f ms%n", calls, slowest / 1e6);
                assertTrue(slowest < TIMEOUT.plus(SCHEDULING_SLACK).toNanos(), "slowest call " + slowest / 1e6 + " ms");
            }
            // the local bucket still limits: past its burst, a 429 with a wait
            int over = a.limiter().tryAcquire(app, (int) BURST).await().atMost(Duration.ofSeconds(5));
            assertTrue(over >= 1, "the local fallback limits too");
        } finally {
            redisServer.start();
        }
        // Redis back (empty: the script is loaded again by EVAL after NOSCRIPT): within retry-after, calls are global again
        await().atMost(RETRY_AFTER.multipliedBy(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            double before = a.fallbacks(app);
            a.limiter().tryAcquire(app, 1).await().atMost(Duration.ofSeconds(5));
            return a.fallbacks(app) == before;
        });
        assertEquals(1L, probe.execute("EXISTS", RedisKeys.rateLimit(app)).await().atMost(Duration.ofSeconds(5)).toLong(),
                "the bucket is in Redis again");
        assertEquals(1.0, a.global(), "the gauge is back to 1 once Redis decides again");
    }

    @Test
    @Order(4)
    void redisSilentCostsOneTimeoutPerRetryInterval() throws Exception {
        // a server that accepts connections and never answers: the worst outage, each call would wait without the timeout
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Replica r = replica("redis://127.0.0.1:" + silent.getLocalPort(), LIMITS);
            try {
                String app = "silent-" + System.nanoTime();
                IntSupplier call = () -> r.limiter().tryAcquire(app, EVENTS_PER_REQUEST).await().atMost(Duration.ofSeconds(5));
                long first = timed(call, 0);
                System.out.printf("Redis silent: first call %.1f ms (timeout %d ms)%n", first / 1e6, TIMEOUT.toMillis());
                assertTrue(first >= TIMEOUT.toNanos() * 9 / 10 && first < TIMEOUT.plus(SCHEDULING_SLACK).toNanos(),
                        "the first call waits the timeout, no more: " + first / 1e6 + " ms");
                // within retry-after the next calls do not ask Redis at all (20 calls: 100 events, within the local burst)
                long start = System.nanoTime();
                long slowest = 0;
                int skipped = 20;
                for (int i = 0; i < skipped; i++) {
                    slowest = Math.max(slowest, timed(call, 0));
                }
                assertTrue(System.nanoTime() - start < RETRY_AFTER.toNanos(), "still within retry-after");
                System.out.printf("Redis silent: %d calls within retry-after, slowest %.2f ms%n", skipped, slowest / 1e6);
                assertTrue(slowest < TIMEOUT.toNanos() / 2, "calls within retry-after skip Redis: " + slowest / 1e6 + " ms");
                assertEquals(1 + skipped, r.fallbacks(app), "every call counted");
                // after retry-after, Redis is tried again: one call waits the timeout once more
                await().atMost(RETRY_AFTER.multipliedBy(3)).pollInterval(Duration.ofMillis(20))
                        .until(() -> timed(call, -1) >= TIMEOUT.toNanos() * 9 / 10);
            } finally {
                r.client().close();
            }
        }
    }

    /** Both replicas under concurrent load for {@link #LOAD}: events admitted by each, and the calls made. */
    private static long[] load(Replica first, Replica second, String app) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2 * CLIENTS_PER_REPLICA);
        try {
            long deadline = System.nanoTime() + LOAD.toNanos();
            List<Future<long[]>> clients = new ArrayList<>();
            for (int i = 0; i < 2 * CLIENTS_PER_REPLICA; i++) {
                RateLimiter limiter = (i % 2 == 0 ? first : second).limiter();
                clients.add(threads.submit(() -> {
                    long admitted = 0;
                    long calls = 0;
                    // a timed load loop: the measured clock bounds it, nothing waits on a guess
                    while (System.nanoTime() < deadline) {
                        if (limiter.tryAcquire(app, EVENTS_PER_REQUEST).await().atMost(Duration.ofSeconds(5)) == 0) {
                            admitted += EVENTS_PER_REQUEST;
                        }
                        calls++;
                    }
                    return new long[] {admitted, calls};
                }));
            }
            long[] result = new long[3];
            for (int i = 0; i < clients.size(); i++) {
                long[] client = clients.get(i).get();
                result[i % 2] += client[0];
                result[2] += client[1];
            }
            return result;
        } finally {
            threads.shutdownNow();
        }
    }

    /** How long a call took; with {@code expected} ≥ 0, also that it answered that. */
    private static long timed(IntSupplier call, int expected) {
        long start = System.nanoTime();
        int wait = call.getAsInt();
        long took = System.nanoTime() - start;
        if (expected >= 0) {
            assertEquals(expected, wait);
        }
        return took;
    }

    /** Redis's clock, the one the script reads, in microseconds. */
    private static long redisMicros() {
        Response time = probe.execute("TIME").await().atMost(Duration.ofSeconds(5));
        return time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
    }

    private static Redis client(String uri) {
        return Redis.createClient(vertx, new RedisOptions().setConnectionString(uri).setMaxPoolSize(16).setMaxPoolWaiting(512));
    }

    private static Replica replica(String uri, Limits limits) {
        Redis client = client(uri);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReactiveRedisDataSource redis = new ReactiveRedisDataSourceImpl(vertx, client, RedisAPI.api(client));
        return new Replica(new RateLimiter(limits, redis, registry), registry, client);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
