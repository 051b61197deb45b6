package dev.pulse.query.config;

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

/** The whole application, started in the prod profile with the placeholders the manifests once shipped: it must not start. */
@QuarkusMainTest
@TestProfile(SecretsCheckIT.ProdWithPlaceholders.class)
class SecretsCheckIT {

    public static class ProdWithPlaceholders implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // as the environment would set them, so that the application's own expressions read them
            return Map.of("PG_QUERY_PASSWORD", "change-me-too", "REDIS_URL", "redis://127.0.0.1:1", "quarkus.http.port", "0");
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void refusesToStartNamingEachWeakSetting(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch();
        String output = result.getOutput() + result.getErrorOutput();
        assertNotEquals(0, result.exitCode(), output);
        assertTrue(output.contains("refusing to start in the prod profile"), output);
        assertTrue(output.contains("quarkus.datasource.password (env PG_QUERY_PASSWORD or PG_PASSWORD) is a known placeholder"), output);
        assertTrue(output.contains("the password in quarkus.redis.hosts (env REDIS_URL) is empty"), output);
    }
}
