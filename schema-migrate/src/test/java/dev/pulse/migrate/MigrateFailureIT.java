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

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A migration that fails exits non-zero, so that the Job runs again: here the Job's own init SQL (QUARKUS_FLYWAY_INIT_SQL), with the services'
 * logins not made yet (the database operator's job), as on a cluster's first rollout.
 */
@QuarkusMainTest
@TestProfile(MigrateFailureIT.LoginsMissing.class)
class MigrateFailureIT {

    public static class LoginsMissing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("PG_JDBC_URL", MigrateDatabase.fresh("migrate_failing"), "PG_USER", "postgres", "PG_PASSWORD", "postgres",
                    "quarkus.flyway.init-sql", "SET pulse.require_logins = on");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aFailedMigrationExitsNonZero(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        String output = result.getOutput() + result.getErrorOutput();
        assertNotEquals(0, result.exitCode(), output);
        assertTrue(output.contains("does not exist yet"), output);
    }
}
