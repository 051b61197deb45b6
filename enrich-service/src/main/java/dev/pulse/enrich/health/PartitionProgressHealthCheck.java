package dev.pulse.enrich.health;

import dev.pulse.consumer.PartitionProgress;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while no partition of events.raw or catalog.content has records waiting without progress for the stall time. */
@Readiness
@ApplicationScoped
public class PartitionProgressHealthCheck implements HealthCheck {
    private final PartitionProgress progress;

    public PartitionProgressHealthCheck(PartitionProgress progress) {
        this.progress = progress;
    }

    @Override
    public HealthCheckResponse call() {
        return progress.readiness("events.raw and catalog.content partitions progress");
    }
}
