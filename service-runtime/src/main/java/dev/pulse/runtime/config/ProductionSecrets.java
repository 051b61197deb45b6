package dev.pulse.runtime.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-up check every service runs in the prod profile (SecretsCheck): a token or password that is missing, a
 * known placeholder or shorter than {@value #MIN_LENGTH} characters stops the service, naming the setting and the
 * environment variable that sets it. Secrets inside a URL (Redis) or a JAAS line (Kafka SASL) are checked too.
 */
public final class ProductionSecrets {
    public static final int MIN_LENGTH = 32;
    /** Values this repository ever shipped or documented as examples, and the usual suspects. */
    private static final Set<String> PLACEHOLDERS = Set.of("pulse", "pulse_query", "postgres", "password", "secret", "admin", "redis",
            "test-admin-token", "dev-admin-token", "local-admin-token", "change-me", "change-me-too", "change-me-admin-token");
    private static final Pattern PLACEHOLDER_WORDS = Pattern.compile("change-?me|changeit|placeholder|example|replace-?me|xxxxxxxx|dev-only");
    private static final Pattern URL_PASSWORD = Pattern.compile("^[a-z][a-z0-9+.-]*://[^:@/]*:([^@/]*)@");
    private static final Pattern JAAS_PASSWORD = Pattern.compile("\\bpassword\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)");

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

    /**
     * Checks the secret each property holds: the whole value, the password of a {@code …://user:password@…} URL
     * ({@code quarkus.redis.hosts}), or the {@code password="…"} of a JAAS line ({@code kafka.sasl.jaas.config},
     * only when {@code kafka.security.protocol} is SASL_*). Throws naming every weak one, so that all can be fixed
     * in one go; never shows a value.
     */
    public static void require(Config config, List<String> properties) {
        List<String> problems = new ArrayList<>();
        for (String property : properties) {
            boolean jaas = property.endsWith(".jaas.config");
            if (jaas && !config.getOptionalValue("kafka.security.protocol", String.class).orElse("PLAINTEXT")
                    .toUpperCase(Locale.ROOT).startsWith("SASL")) {
                continue;
            }
            boolean url = property.endsWith(".hosts") || property.endsWith(".url");
            Optional<String> value = config.getOptionalValue(property, String.class);
            String secret = url ? value.map(ProductionSecrets::urlPassword).orElse(null)
                    : jaas ? value.map(ProductionSecrets::jaasPassword).orElse(null) : value.orElse(null);
            String where = url ? "the password in " : jaas ? "the SASL password in " : "";
            weakness(secret).ifPresent(why -> problems.add(where + property + " (env " + environment(config, property) + ") " + why));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start in the prod profile with a weak secret: " + String.join("; ", problems)
                    + " (a production secret is at least " + MIN_LENGTH + " random characters, e.g. `openssl rand -hex 32`)");
        }
    }

    /** The variables the property's configured expression reads, else the property's own environment form. */
    private static String environment(Config config, String property) {
        ConfigValue configured = config.getConfigValue(property);
        Set<String> names = new LinkedHashSet<>();
        if (configured != null && configured.getRawValue() != null) {
            Matcher variable = VARIABLE.matcher(configured.getRawValue());
            while (variable.find()) {
                names.add(variable.group(1));
            }
        }
        if (names.isEmpty()) {
            names.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        return String.join(" or ", names);
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
