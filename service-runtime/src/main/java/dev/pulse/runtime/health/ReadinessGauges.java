package dev.pulse.runtime.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every service's readiness as metrics, so alerts need nothing but /q/metrics: {@code pulse_ready} (1 when
 * /q/health/ready would answer UP) and {@code pulse_health_check_up{check}} per readiness check (PostgreSQL, Redis,
 * Kafka...). Refreshed off the scrape path every few seconds: a scrape never waits for a check.
 */
@ApplicationScoped
public class ReadinessGauges {
    private static final long REFRESH_MILLIS = 5_000;

    private final SmallRyeHealthReporter reporter;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final AtomicInteger ready = new AtomicInteger();
    private final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
    private long timer = -1;

    public ReadinessGauges(SmallRyeHealthReporter reporter, MeterRegistry registry, Vertx vertx) {
        this.reporter = reporter;
        this.registry = registry;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        Gauge.builder("pulse.ready", ready, AtomicInteger::get).description("1 when the service's readiness checks are all up").register(registry);
        refresh();
        timer = vertx.setPeriodic(REFRESH_MILLIS, id -> refresh());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void refresh() {
        reporter.getReadinessAsync().subscribe().with(this::update, e -> {
            Log.warnf("readiness could not be evaluated: %s", e.toString());
            ready.set(0);
        });
    }

    private void update(SmallRyeHealth health) {
        ready.set(health.isDown() ? 0 : 1);
        JsonObject payload = health.getPayload();
        for (JsonValue value : payload.getJsonArray("checks")) {
            JsonObject check = value.asJsonObject();
            checks.computeIfAbsent(check.getString("name"), name -> {
                AtomicInteger up = new AtomicInteger();
                Gauge.builder("pulse.health.check.up", up, AtomicInteger::get).tag("check", name)
                        .description("1 when this readiness check is up").register(registry);
                return up;
            }).set("UP".equals(check.getString("status")) ? 1 : 0);
        }
    }
}
