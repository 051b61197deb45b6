package dev.pulse.consumer;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/** Ready while no partition the service consumes has records waiting without progress for the stall time. */
@Readiness
@ApplicationScoped
public class PartitionsReadinessCheck implements HealthCheck {
    public static final String NAME = "consumed partitions progress";

    private final PartitionProgress progress;

    public PartitionsReadinessCheck(PartitionProgress progress) {
        this.progress = progress;
    }

    @Override
    public HealthCheckResponse call() {
        List<String> stalled = progress.stalled();
        return HealthCheckResponse.named(NAME).status(stalled.isEmpty()).withData("stalled", String.join(", ", stalled)).build();
    }
}
