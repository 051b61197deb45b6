package dev.pulse.query.service;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * At most {@code max-concurrent-per-app} queries of one app in flight on this instance, so that one app's heavy
 * dashboard cannot take every database connection from the others; one more is a 429 with Retry-After.
 * Only apps with queries in flight have an entry.
 */
@ApplicationScoped
public class ConcurrencyLimiter {
    private final QueryConfig config;
    private final ConcurrentMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    public ConcurrencyLimiter(QueryConfig config) {
        this.config = config;
    }

    /** Runs {@code work} once a slot of the app is free now, else fails with 429; the slot is freed when it ends. */
    public <T> Uni<T> limit(String appId, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            if (!tryAcquire(appId)) {
                throw ProblemException.tooManyRequests("at most " + config.maxConcurrentPerApp()
                        + " queries of one app at once: wait for an answer before asking more", config.retryAfterSeconds());
            }
            CompletableFuture<T> running;
            try {
                running = work.get().subscribeAsCompletionStage();
            } catch (RuntimeException e) {
                release(appId);
                throw e;
            }
            // the slot is the database's work: a client that hangs up does not free it before that work ends
            running.whenComplete((item, failure) -> release(appId));
            return Uni.createFrom().completionStage(running.copy());
        });
    }

    private boolean tryAcquire(String appId) {
        boolean[] acquired = {false};
        inFlight.compute(appId, (app, running) -> {
            int now = running == null ? 0 : running;
            if (now >= config.maxConcurrentPerApp()) {
                return running;
            }
            acquired[0] = true;
            return now + 1;
        });
        return acquired[0];
    }

    private void release(String appId) {
        inFlight.computeIfPresent(appId, (app, running) -> running <= 1 ? null : running - 1);
    }
}
