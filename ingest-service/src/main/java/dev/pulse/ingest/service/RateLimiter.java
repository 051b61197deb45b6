package dev.pulse.ingest.service;

import dev.pulse.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-app token bucket over events (not requests), so one large batch costs what its events cost.
 * Per instance: with N replicas an app gets N times the configured rate.
 */
@ApplicationScoped
public class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(IngestConfig config) {
        this.ratePerNano = config.rateLimit().eventsPerSecond() / 1e9;
        this.burst = config.rateLimit().burst();
    }

    /** @return 0 when the events may pass (and are taken from the bucket), else the seconds to wait */
    public int tryAcquire(String appId, int events) {
        return buckets.computeIfAbsent(appId, id -> new Bucket(burst, System.nanoTime()))
                .take(events, System.nanoTime(), ratePerNano, burst);
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
            double missing = Math.min(events, burst) - tokens;
            return (int) Math.max(1, Math.ceil(missing / (ratePerNano * 1e9)));
        }
    }
}
