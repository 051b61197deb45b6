package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In the prod overlay, every secret a Pulse workload receives (an environment variable from a Secret, or one built
 * from such a variable, like REDIS_URL from REDIS_PASSWORD) is read by a setting that the workload checks at start
 * (pulse.secrets.checked of its service, or the workload's PULSE_SECRETS_CHECKED): none can be weak unnoticed.
 * Database login names and the cluster CA's certificate are not secrets.
 */
class SecretsCheckedTest {
    private static final Pattern PROPERTY = Pattern.compile("(?m)^(?:%(\\w+)\\.)?([^=\\s#]+)=(.*)$");

    @Test
    void everySecretAWorkloadReceivesIsCheckedAtStart() throws Exception {
        List<String> unchecked = new ArrayList<>();
        int secrets = 0;
        for (JsonNode workload : Manifests.render("prod")) {
            if (!List.of("Deployment", "Job").contains(workload.path("kind").asText())) {
                continue;
            }
            JsonNode container = workload.at("/spec/template/spec/containers/0");
            String service = container.path("image").asText().replaceFirst("^pulse/", "").replaceFirst(":.*$", "");
            Map<String, String> properties = properties(service);
            Map<String, String> env = new TreeMap<>();
            Set<String> fromSecrets = new TreeSet<>();
            for (JsonNode variable : container.path("env")) {
                String name = variable.path("name").asText();
                env.put(name, variable.path("value").asText(""));
                JsonNode ref = variable.at("/valueFrom/secretKeyRef");
                if (!ref.isMissingNode() && !ref.path("key").asText().equals("username")) {
                    fromSecrets.add(name);
                }
            }
            String checked = env.containsKey("PULSE_SECRETS_CHECKED") ? env.get("PULSE_SECRETS_CHECKED") : properties.get("pulse.secrets.checked");
            Set<String> checkedProperties = new TreeSet<>(Arrays.asList(checked == null ? new String[0] : checked.split("\\s*,\\s*")));
            for (String secret : fromSecrets) {
                secrets++;
                String label = workload.at("/metadata/name").asText() + " " + secret;
                if (!readByChecked(secret, env, properties, checkedProperties)) {
                    unchecked.add(label);
                }
            }
        }
        assertTrue(secrets >= 10, "the workloads' secrets were found: " + secrets);
        assertEquals(List.of(), unchecked, "secrets no start-up check looks at");
    }

    /** Whether a checked property reads the variable, directly or through another variable built from it. */
    private static boolean readByChecked(String variable, Map<String, String> env, Map<String, String> properties, Set<String> checked) {
        for (String property : checked) {
            String expression = properties.getOrDefault(property, "");
            if (expression.contains("${" + variable + "}") || expression.contains("${" + variable + ":")
                    || property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase().equals(variable)) {
                return true;
            }
        }
        return env.entrySet().stream().filter(e -> e.getValue().contains("$(" + variable + ")"))
                .anyMatch(e -> readByChecked(e.getKey(), env, properties, checked));
    }

    /** The service's properties as the prod profile sees them (its %prod values over the unprofiled ones). */
    private static Map<String, String> properties(String service) throws IOException {
        Map<String, String> properties = new TreeMap<>();
        Map<String, String> prod = new TreeMap<>();
        Matcher m = PROPERTY.matcher(Files.readString(Manifests.ROOT.resolve(service).resolve("src/main/resources/application.properties")));
        while (m.find()) {
            if (m.group(1) == null) {
                properties.put(m.group(2), m.group(3).trim());
            } else if (m.group(1).equals("prod")) {
                prod.put(m.group(2), m.group(3).trim());
            }
        }
        properties.putAll(prod);
        return properties;
    }
}
