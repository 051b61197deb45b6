package dev.pulse.enrich.health;

import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.messaging.RawEventLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the events.raw loop runs and gets its batches through. */
@Readiness
@ApplicationScoped
public class RawEventLoopHealthCheck implements HealthCheck {
    private final RawEventLoop loop;
    private final EnrichConfig config;

    public RawEventLoopHealthCheck(RawEventLoop loop, EnrichConfig config) {
        this.loop = loop;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("events.raw enrichment loop").status(loop.healthy(config.loop().stalledAfter())).build();
    }
}
