package dev.pulse.ingest.config;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code PULSE_MIGRATE_ONLY=true}: start (which runs Flyway), then exit 0. Kubernetes runs the schema
 * migration this way once per rollout, in a Job, instead of in every replica.
 */
public class MigrateOnly {

    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "pulse.migrate-only", defaultValue = "false") boolean migrateOnly) {
        if (migrateOnly) {
            Log.info("schema migrated; exiting (pulse.migrate-only)");
            Quarkus.asyncExit(0);
        }
    }
}
