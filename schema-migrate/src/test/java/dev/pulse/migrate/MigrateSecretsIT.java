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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In the prod profile a weak database password stops the command before it changes the schema. */
@QuarkusMainTest
@TestProfile(MigrateSecretsIT.ProdWithPlaceholder.class)
class MigrateSecretsIT {
    static final String DATABASE = "migrate_weak_secret";

    public static class ProdWithPlaceholder implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // the embedded server's superuser password is the placeholder "postgres": it would let the migration in
            return Map.of("PG_JDBC_URL", MigrateDatabase.fresh(DATABASE), "PG_USER", "postgres", "PG_PASSWORD", "postgres");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void refusesAWeakPasswordWithoutMigrating(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        String output = result.getOutput() + result.getErrorOutput();
        assertNotEquals(0, result.exitCode(), output);
        assertTrue(output.contains("quarkus.datasource.password (env PG_PASSWORD) is a known placeholder"), output);
        assertNull(MigrateDatabase.queryString(DATABASE, "SELECT count(*) FROM flyway_schema_history"),
                "the schema was migrated before the secrets were checked");
    }
}
