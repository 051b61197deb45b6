package dev.pulse.ingest.service;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Per-app token buckets over events, in this instance's memory: {@link RateLimiter}'s fallback while Redis does
 * not answer (or when it is turned off). Each instance grants the full rate, so with N replicas an app gets up to
 * N times the configured rate while they decide locally.
 */
final class LocalTokenBuckets {
    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    LocalTokenBuckets(double eventsPerSecond, double burst) {
        this(eventsPerSecond, burst, System::nanoTime);
    }

    /** @param nanoTime the clock refills are measured by (a test's, to move time without waiting) */
    LocalTokenBuckets(double eventsPerSecond, double burst, LongSupplier nanoTime) {
        this.ratePerNano = eventsPerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** @return 0 when the events may pass (and are taken from the bucket), else the seconds to wait */
    int tryAcquire(String appId, int events) {
        long now = nanoTime.getAsLong();
        return buckets.computeIfAbsent(appId, id -> new Bucket(burst, now)).take(events, now, ratePerNano, burst);
    }

    private static final class Bucket {
        private double tokens;
        private long updatedAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedAt = now;
        }

        synchronized int take(int events, long now, double ratePerNano, double burst) {
            tokens = Math.min(burst, tokens + (now - updatedAt) * ratePerNano);
            updatedAt = now;
            if (tokens >= events) {
                tokens -= events;
                return 0;
            }
            // never more than a full bucket's wait (RateLimiter refuses a burst below the largest request)
            double missing = Math.min(events, burst) - tokens;
            return (int) Math.max(1, Math.ceil(missing / (ratePerNano * 1e9)));
        }
    }
}
