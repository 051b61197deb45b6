package dev.pulse.migrate;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The migrate command against a real PostgreSQL: it applies every migration, exits 0, and does it again idempotently. */
@QuarkusMainTest
@TestProfile(MigrateIT.EmptyDatabase.class)
class MigrateIT {
    static final String DATABASE = "migrate_ok";

    public static class EmptyDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // as the Job's environment sets them, so that the application's own expressions read them
            return Map.of("PG_JDBC_URL", MigrateDatabase.fresh(DATABASE), "PG_USER", "postgres", "PG_PASSWORD", "postgres");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void migratesThenExitsZeroAndAgain(QuarkusMainLauncher launcher) {
        LaunchResult first = launcher.launch();
        assertEquals(0, first.exitCode(), first.getOutput() + first.getErrorOutput());
        String applied = MigrateDatabase.queryString(DATABASE, "SELECT count(*) FROM flyway_schema_history WHERE success");
        assertNotNull(applied, "no flyway_schema_history: nothing was migrated");
        assertNotNull(MigrateDatabase.queryString(DATABASE, "SELECT count(*) FROM apps"), "no apps table");

        LaunchResult second = launcher.launch();
        assertEquals(0, second.exitCode(), second.getOutput() + second.getErrorOutput());
        assertEquals(applied, MigrateDatabase.queryString(DATABASE, "SELECT count(*) FROM flyway_schema_history WHERE success"));
    }
}
