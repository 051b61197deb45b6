package dev.pulse.runtime.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProductionSecretsTest {
    private static final String STRONG = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final List<String> SETTINGS = List.of("pulse.admin.token", "quarkus.datasource.password", "quarkus.redis.hosts",
            "kafka.sasl.jaas.config");
    /** as application.properties configures them: the environment variables they read */
    private static final Map<String, String> EXPRESSIONS = Map.of("quarkus.datasource.password", "${PG_QUERY_PASSWORD:${PG_PASSWORD:pulse}}",
            "quarkus.redis.hosts", "${REDIS_URL:redis://localhost:6379}", "kafka.sasl.jaas.config", "${KAFKA_SASL_JAAS_CONFIG:}");

    @ParameterizedTest
    @ValueSource(strings = {"pulse", "PULSE", "change-me", "change-me-too", "change-me-admin-token", "local-admin-token",
            "please-change-me-before-going-live-0123456789", "an-example-token-that-is-long-enough-to-pass", "dev-only-admin-token"})
    void knownPlaceholdersAreWeakWhateverTheirLength(String value) {
        assertEquals(Optional.of("is a known placeholder"), ProductionSecrets.weakness(value));
    }

    @Test
    void emptyShortAndStrongValues() {
        assertEquals(Optional.of("is empty"), ProductionSecrets.weakness(null));
        assertEquals(Optional.of("is empty"), ProductionSecrets.weakness("  "));
        String thirtyOne = STRONG.substring(0, ProductionSecrets.MIN_LENGTH - 1);
        assertEquals(Optional.of("is shorter than 32 characters"), ProductionSecrets.weakness(thirtyOne));
        assertEquals(Optional.empty(), ProductionSecrets.weakness(STRONG.substring(0, ProductionSecrets.MIN_LENGTH)));
    }

    @Test
    void secretsInsideUrlsAndJaasLines() {
        assertEquals("s3cr:t", ProductionSecrets.urlPassword("redis://pulse-query:s3cr:t@redis:6379"));
        assertEquals(null, ProductionSecrets.urlPassword("redis://redis:6379"));
        assertEquals(null, ProductionSecrets.urlPassword("redis://pulse-query@redis:6379"));
        assertEquals("abc", ProductionSecrets.jaasPassword(
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"pulse-ingest\" password=\"abc\";"));
    }

    @Test
    void strongSettingsPass() {
        ProductionSecrets.require(config(Map.of("pulse.admin.token", STRONG, "quarkus.datasource.password", STRONG,
                "quarkus.redis.hosts", "redis://pulse-aggregate:" + STRONG + "@redis:6379", "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"" + STRONG + "\";")), SETTINGS);
    }

    @Test
    void everyWeakSettingIsNamedWithItsEnvironmentVariable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProductionSecrets.require(config(Map.of(
                "pulse.admin.token", "change-me-admin-token", "quarkus.datasource.password", "short",
                "quarkus.redis.hosts", "redis://redis:6379", "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"pulse\";")), SETTINGS));
        String message = e.getMessage();
        assertTrue(message.contains("pulse.admin.token (env PULSE_ADMIN_TOKEN) is a known placeholder"), message);
        assertTrue(message.contains("quarkus.datasource.password (env PG_QUERY_PASSWORD or PG_PASSWORD) is shorter than 32 characters"), message);
        assertTrue(!message.contains("change-me-admin-token") && !message.contains("short;"), "no value shown: " + message);
        assertTrue(message.contains("the password in quarkus.redis.hosts (env REDIS_URL) is empty"), message);
        assertTrue(message.contains("the SASL password in kafka.sasl.jaas.config (env KAFKA_SASL_JAAS_CONFIG) is a known placeholder"), message);
    }

    @Test
    void anUnsetSecretIsEmptyAndKafkaWithoutSaslHasNoPasswordToCheck() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProductionSecrets.require(config(Map.of(
                "quarkus.datasource.password", STRONG, "quarkus.redis.hosts", "redis://q:" + STRONG + "@redis:6379")), SETTINGS));
        assertTrue(e.getMessage().contains("pulse.admin.token (env PULSE_ADMIN_TOKEN) is empty"), e.getMessage());
        assertTrue(!e.getMessage().contains("kafka"), e.getMessage());
    }

    private static Config config(Map<String, String> values) {
        return new Config() {
            @Override
            public <T> T getValue(String name, Class<T> type) {
                return getOptionalValue(name, type).orElseThrow();
            }

            @Override
            public ConfigValue getConfigValue(String name) {
                return new ConfigValue() {
                    @Override
                    public String getName() {
                        return name;
                    }

                    @Override
                    public String getValue() {
                        return values.get(name);
                    }

                    @Override
                    public String getRawValue() {
                        return EXPRESSIONS.getOrDefault(name, values.get(name));
                    }

                    @Override
                    public String getSourceName() {
                        return "test";
                    }

                    @Override
                    public int getSourceOrdinal() {
                        return 0;
                    }
                };
            }

            @Override
            public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
                return Optional.ofNullable(values.get(name)).map(type::cast);
            }

            @Override
            public Iterable<String> getPropertyNames() {
                return values.keySet();
            }

            @Override
            public Iterable<ConfigSource> getConfigSources() {
                return List.of();
            }

            @Override
            public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
                return Optional.empty();
            }

            @Override
            public <T> T unwrap(Class<T> type) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
