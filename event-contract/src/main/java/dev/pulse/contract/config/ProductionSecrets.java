package dev.pulse.contract.config;

import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-up check every service runs in the prod profile: a token or password that is missing, a known
 * placeholder or shorter than {@value #MIN_LENGTH} characters stops the service, naming the setting. Secrets
 * embedded in a URL (Redis) or a JAAS line (Kafka SASL) are checked too.
 */
public final class ProductionSecrets {
    public static final int MIN_LENGTH = 32;
    /** Values this repository ever shipped or documented as examples, and the usual suspects. */
    private static final Set<String> PLACEHOLDERS = Set.of("pulse", "pulse_query", "postgres", "password", "secret", "admin", "redis",
            "test-admin-token", "dev-admin-token", "local-admin-token", "change-me", "change-me-too", "change-me-admin-token");
    private static final Pattern PLACEHOLDER_WORDS = Pattern.compile("change-?me|changeit|placeholder|example|replace-?me|xxxxxxxx");
    private static final Pattern URL_PASSWORD = Pattern.compile("^[a-z][a-z0-9+.-]*://[^:@/]*:([^@/]*)@");
    private static final Pattern JAAS_PASSWORD = Pattern.compile("\\bpassword\\s*=\\s*\"([^\"]*)\"");

    /** The property whose value holds a secret, as Pulse configures it. */
    public enum Kind {
        /** the whole value is the secret */
        PLAIN,
        /** {@code scheme://user:password@host...}: the password part */
        URL,
        /** a JAAS line: its {@code password="..."}; checked only when {@code kafka.security.protocol} is SASL_* */
        KAFKA_JAAS
    }

    public record Setting(String property, String environment, Kind kind) {
        public static Setting plain(String property, String environment) {
            return new Setting(property, environment, Kind.PLAIN);
        }
    }

    /** The writer services' database password. */
    public static final Setting DATABASE = Setting.plain("quarkus.datasource.password", "PG_PASSWORD");
    /** The SASL password of the service's Kafka user (Strimzi's generated {@code sasl.jaas.config}). */
    public static final Setting KAFKA = new Setting("kafka.sasl.jaas.config", "KAFKA_SASL_JAAS_CONFIG", Kind.KAFKA_JAAS);
    /** The password of the service's Redis ACL user, inside the Redis URL. */
    public static final Setting REDIS = new Setting("quarkus.redis.hosts", "REDIS_URL", Kind.URL);

    private ProductionSecrets() {
    }

    /** @return why {@code value} cannot be a production secret, or empty when it can */
    public static Optional<String> weakness(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of("is empty");
        }
        String lower = value.trim().toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.contains(lower) || PLACEHOLDER_WORDS.matcher(lower).find()) {
            return Optional.of("is a known placeholder");
        }
        if (value.length() < MIN_LENGTH) {
            return Optional.of("is shorter than " + MIN_LENGTH + " characters");
        }
        return Optional.empty();
    }

    /** Checks each setting; throws naming every weak one, so that all can be fixed in one go. */
    public static void require(Config config, List<Setting> settings) {
        List<String> problems = new ArrayList<>();
        for (Setting setting : settings) {
            if (setting.kind() == Kind.KAFKA_JAAS && !config.getOptionalValue("kafka.security.protocol", String.class)
                    .orElse("PLAINTEXT").toUpperCase(Locale.ROOT).startsWith("SASL")) {
                continue;
            }
            Optional<String> value = config.getOptionalValue(setting.property(), String.class);
            String secret = switch (setting.kind()) {
                case PLAIN -> value.orElse(null);
                case URL -> value.map(ProductionSecrets::urlPassword).orElse(null);
                case KAFKA_JAAS -> value.map(ProductionSecrets::jaasPassword).orElse(null);
            };
            weakness(secret).ifPresent(why -> problems.add(describe(setting) + " " + why));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start in the prod profile with a weak secret: " + String.join("; ", problems)
                    + " (a production secret is at least " + MIN_LENGTH + " random characters, e.g. `openssl rand -hex 32`)");
        }
    }

    private static String describe(Setting setting) {
        String where = switch (setting.kind()) {
            case PLAIN -> "";
            case URL -> "the password in ";
            case KAFKA_JAAS -> "the SASL password in ";
        };
        return where + setting.property() + " (env " + setting.environment() + ")";
    }

    static String urlPassword(String url) {
        Matcher m = URL_PASSWORD.matcher(url);
        return m.find() ? m.group(1) : null;
    }

    static String jaasPassword(String jaas) {
        Matcher m = JAAS_PASSWORD.matcher(jaas);
        return m.find() ? m.group(1) : null;
    }
}
