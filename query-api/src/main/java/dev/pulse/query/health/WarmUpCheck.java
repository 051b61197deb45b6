package dev.pulse.query.health;

import dev.pulse.query.service.WarmUpService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the start's warm-up is over (WarmUpService), whatever its outcome. */
@Readiness
@ApplicationScoped
public class WarmUpCheck implements HealthCheck {
    private final WarmUpService warmUp;

    public WarmUpCheck(WarmUpService warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public HealthCheckResponse call() {
        return warmUp.outcome().map(outcome -> HealthCheckResponse.named("warm-up").up().withData("status", outcome.status())
                .withData("rows", outcome.rows()).withData("groups", outcome.groups()).withData("passes", outcome.passes())
                        .withData("millis", outcome.millis()).build())
                .orElseGet(() -> HealthCheckResponse.named("warm-up").down().build());
    }
}
