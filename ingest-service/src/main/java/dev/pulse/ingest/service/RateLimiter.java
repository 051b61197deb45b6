package dev.pulse.ingest.service;

import dev.pulse.schema.RedisKeys;
import dev.pulse.ingest.config.IngestConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-app token bucket over events (not requests), so one large batch costs what its events cost; global across
 * ingest replicas: the bucket lives in Redis ({@link GlobalBucketScript}), so N replicas together grant the
 * configured rate, not N times it.
 *
 * <p>It fails open: the limit protects the pipeline from one app, it must not become the reason all apps lose
 * events. When Redis errs or does not answer within {@code timeout}, the request is decided by this instance's
 * own bucket ({@link LocalTokenBuckets}, the per-instance limit of before), counted in
 * {@code pulse_ingest_rate_limit_fallback_total{app}}, and Redis is skipped for {@code retry-after}, so an outage
 * costs one timeout per instance and interval, not one per request. Failures are logged at most once per
 * {@code log-interval}, with how many there were meanwhile.
 */
@ApplicationScoped
public class RateLimiter {
    private final ReactiveRedisDataSource redis;
    private final LocalTokenBuckets local;
    private final MeterRegistry registry;
    private final boolean redisEnabled;
    private final Duration timeout;
    private final long retryAfterNanos;
    private final long logIntervalNanos;
    // the script's arguments that never change, formatted once
    private final String rate;
    private final String burst;
    private final String ttlMillis;
    /** nanoTime from which Redis is asked again after a failure. */
    private volatile long redisRetryAt;
    /** Whether the last attempt at Redis failed: its first success afterwards is logged. */
    private volatile boolean degraded;
    private final AtomicLong nextLogAt;
    private final AtomicLong failuresSinceLog = new AtomicLong();

    @Inject
    public RateLimiter(IngestConfig config, ReactiveRedisDataSource redis, MeterRegistry registry) {
        this(config.rateLimit(), redis, registry);
        // a full request that no bucket can ever cover would be a 429 with a Retry-After that never comes true
        if (config.rateLimit().burst() < config.maxEventsPerRequest()) {
            throw new IllegalArgumentException("pulse.ingest.rate-limit.burst (" + config.rateLimit().burst()
                    + ") must be at least pulse.ingest.max-events-per-request (" + config.maxEventsPerRequest() + ")");
        }
    }

    /** One limiter as an ingest replica has it; tests make several over one Redis to stand for several replicas. */
    public RateLimiter(IngestConfig.RateLimit config, ReactiveRedisDataSource redis, MeterRegistry registry) {
        if (!(config.eventsPerSecond() > 0) || !(config.burst() > 0) || !Double.isFinite(config.eventsPerSecond())
                || !Double.isFinite(config.burst())) {
            throw new IllegalArgumentException("pulse.ingest.rate-limit.events-per-second and burst must be positive and finite");
        }
        this.redis = redis;
        this.registry = registry;
        this.local = new LocalTokenBuckets(config.eventsPerSecond(), config.burst());
        this.redisEnabled = config.redis().enabled();
        this.timeout = config.redis().timeout();
        this.retryAfterNanos = config.redis().retryAfter().toNanos();
        this.logIntervalNanos = config.redis().logInterval().toNanos();
        this.rate = Double.toString(config.eventsPerSecond());
        this.burst = Double.toString(config.burst());
        // an idle bucket is full again after burst / rate; then it equals a missing one and may go (1 s spare)
        this.ttlMillis = Long.toString((long) Math.ceil(config.burst() / config.eventsPerSecond() * 1000) + 1000);
        long now = System.nanoTime();
        this.redisRetryAt = now;
        this.nextLogAt = new AtomicLong(now);
        if (redisEnabled) {
            // served from the start (the fallback counter only exists per app once one fell back): the alert's series
            Gauge.builder("pulse.ingest.rate.limit.global", this, limiter -> limiter.degraded ? 0 : 1)
                    .description("1 while Redis decides the rate limit, 0 after a decision fell back to this instance's bucket")
                    .register(registry);
        }
    }

    /**
     * Opens a first connection before traffic comes: a fresh instance's first script call also pays for connecting
     * and class loading, which can exceed the timeout and would count (and log) a fallback on every start.
     */
    void warmUp(@Observes StartupEvent event) {
        if (redisEnabled) {
            redis.execute("PING").subscribe().with(ignored -> {
            }, failure -> Log.warnf("Redis does not answer at start (%s): the rate limit is per instance until it does", failure.toString()));
        }
    }

    /** @return 0 when the events may pass (and are taken from the app's bucket), else the seconds to wait */
    public Uni<Integer> tryAcquire(String appId, int events) {
        if (!redisEnabled) {
            return Uni.createFrom().item(() -> local.tryAcquire(appId, events));
        }
        if (System.nanoTime() - redisRetryAt < 0) {
            return Uni.createFrom().item(() -> fallback(appId, events));
        }
        return GlobalBucketScript.run(redis, RedisKeys.rateLimit(appId), rate, burst, events, ttlMillis)
                .ifNoItem().after(timeout).fail()
                .onItem().invoke(this::recovered)
                .onFailure().recoverWithItem(failure -> {
                    redisFailed(failure);
                    return fallback(appId, events);
                });
    }

    private int fallback(String appId, int events) {
        registry.counter("pulse.ingest.rate.limit.fallback", "app", appId).increment();
        return local.tryAcquire(appId, events);
    }

    private void recovered() {
        if (degraded) {
            degraded = false;
            Log.infof("Redis answers the rate limit again: limits are global again (%d failures since the last report)",
                    failuresSinceLog.getAndSet(0));
        }
    }

    private void redisFailed(Throwable failure) {
        long now = System.nanoTime();
        redisRetryAt = now + retryAfterNanos;
        degraded = true;
        long failures = failuresSinceLog.incrementAndGet();
        long logAt = nextLogAt.get();
        if (now - logAt >= 0 && nextLogAt.compareAndSet(logAt, now + logIntervalNanos)) {
            failuresSinceLog.addAndGet(-failures);
            Log.warnf("Redis did not decide the rate limit (%s; %d failures since the last report): each instance limits apps "
                    + "on its own, so N replicas grant up to N times the rate, until Redis answers (tried again after %d ms)",
                    failure instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms" : failure.toString(),
                    failures, retryAfterNanos / 1_000_000);
        }
    }
}
