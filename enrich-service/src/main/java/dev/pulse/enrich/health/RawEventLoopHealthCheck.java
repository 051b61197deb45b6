package dev.pulse.enrich.health;

import dev.pulse.enrich.messaging.RawEventLoop;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the events.raw loop's thread runs: it restarts itself after any exception, so a dead one needs a new process. */
@Liveness
@ApplicationScoped
public class RawEventLoopHealthCheck implements HealthCheck {
    private final RawEventLoop loop;

    public RawEventLoopHealthCheck(RawEventLoop loop) {
        this.loop = loop;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("events.raw enrichment loop thread").status(loop.alive()).build();
    }
}
