package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Grafana dashboards shipped in the prod overlay's ConfigMap, and the PromQL each of them runs. */
final class Dashboards {
    static final Path CONFIG_MAP = Path.of("deploy/k8s/overlays/prod/dashboards.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A template variable's {@code label_values(metric, label)}: the metric must carry the label. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(.+?)\\s*,\\s*(\\w+)\\s*\\)");

    private Dashboards() {
    }

    /** Each dashboard JSON of the ConfigMap, by its key. */
    static Map<String, JsonNode> all(Path root) throws IOException {
        Map<String, JsonNode> dashboards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : YAML.readTree(root.resolve(CONFIG_MAP).toFile()).get("data").properties()) {
            dashboards.put(entry.getKey(), JSON.readTree(entry.getValue().asText()));
        }
        return dashboards;
    }

    /** Every query of every panel and template variable, keyed by where it is. */
    static Map<String, String> queries(Path root) throws IOException {
        Map<String, String> queries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> dashboard : all(root).entrySet()) {
            for (JsonNode panel : dashboard.getValue().get("panels")) {
                for (JsonNode target : panel.get("targets")) {
                    queries.put(dashboard.getKey() + " panel \"" + panel.get("title").asText() + "\" " + target.get("refId").asText(),
                            target.get("expr").asText());
                }
            }
            for (JsonNode variable : dashboard.getValue().at("/templating/list")) {
                Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
                if (m.matches()) {
                    queries.put(dashboard.getKey() + " variable $" + variable.get("name").asText(), "sum by (" + m.group(2) + ") (" + m.group(1) + ")");
                }
            }
        }
        return queries;
    }
}
