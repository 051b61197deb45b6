package dev.pulse.contract.config;

import dev.pulse.contract.config.ProductionSecrets.Kind;
import dev.pulse.contract.config.ProductionSecrets.Setting;
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
    private static final List<Setting> SETTINGS = List.of(
            Setting.plain("pulse.admin.token", "PULSE_ADMIN_TOKEN"),
            Setting.plain("quarkus.datasource.password", "PG_PASSWORD"),
            new Setting("quarkus.redis.hosts", "REDIS_URL", Kind.URL),
            new Setting("kafka.sasl.jaas.config", "KAFKA_SASL_JAAS_CONFIG", Kind.KAFKA_JAAS));

    @ParameterizedTest
    @ValueSource(strings = {"pulse", "PULSE", "change-me", "change-me-too", "change-me-admin-token", "local-admin-token",
            "please-change-me-before-going-live-0123456789", "an-example-token-that-is-long-enough-to-pass"})
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
        assertTrue(message.contains("quarkus.datasource.password (env PG_PASSWORD) is shorter than 32 characters"), message);
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
                throw new UnsupportedOperationException();
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
