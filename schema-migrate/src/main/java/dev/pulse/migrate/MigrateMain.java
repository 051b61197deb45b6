package dev.pulse.migrate;

import io.quarkus.logging.Log;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Flyway has migrated the schema while the application started (quarkus.flyway.migrate-at-start), after the
 * production-secrets check; a failed migration fails the start, so the process exits non-zero and the Job retries.
 */
@QuarkusMain
public class MigrateMain implements QuarkusApplication {

    @Override
    public int run(String... args) {
        Log.info("schema migrated");
        return 0;
    }
}
