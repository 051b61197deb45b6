package dev.pulse.migrate;

import io.quarkus.logging.Log;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.flywaydb.core.Flyway;

/**
 * Migrates the schema and exits. Flyway runs here rather than at start (quarkus.flyway.migrate-at-start), which
 * would come before the production-secrets check: a weak password must stop the Job before it changes the schema.
 * A failed migration throws, so the process exits non-zero and the Job retries.
 */
@QuarkusMain
public class MigrateMain implements QuarkusApplication {
    private final Flyway flyway;

    public MigrateMain(Flyway flyway) {
        this.flyway = flyway;
    }

    @Override
    public int run(String... args) {
        int applied = flyway.migrate().migrationsExecuted;
        Log.infof("schema migrated (%d migrations applied)", applied);
        return 0;
    }
}
