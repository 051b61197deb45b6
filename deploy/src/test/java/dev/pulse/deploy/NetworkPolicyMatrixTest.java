package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.deploy.NetworkPolicyEvaluator.Endpoint;
import dev.pulse.deploy.NetworkPolicyEvaluator.NamedPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The NetworkPolicies of each rendered overlay, evaluated over every pod the manifests declare (with their
 * container ports), the pods the operators make, and the world around: every flow Pulse needs is allowed, and
 * every other flow that starts or ends in Pulse's namespace is denied.
 * <p>
 * The pods of operator-managed resources are not in the rendered output; they are modelled here from the
 * operators' documented labels: Strimzi's broker pods carry strimzi.io/cluster, strimzi.io/kind=Kafka,
 * strimzi.io/name=&lt;cluster&gt;-kafka and strimzi.io/pool-name plus the KafkaNodePool's template labels, its
 * Entity Operator strimzi.io/name=&lt;cluster&gt;-entity-operator; CloudNativePG's instances cnpg.io/cluster and
 * cnpg.io/podRole=instance plus the Cluster's inheritedMetadata labels. The policies Strimzi generates itself for
 * its listeners only admit more; they are not modelled.
 */
class NetworkPolicyMatrixTest {
    private static final String NS = "pulse";
    private static final Endpoint INGRESS_CONTROLLER = outsidePod("ingress-controller", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"));
    private static final Endpoint PROMETHEUS = outsidePod("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
    private static final Endpoint DNS = Endpoint.pod("kube-dns", "kube-system", Map.of("k8s-app", "kube-dns"),
            List.of(new NamedPort("dns", 53, "UDP"), new NamedPort("dns-tcp", 53, "TCP")));
    private static final Endpoint STRIMZI_OPERATOR = outsidePod("strimzi-operator", "strimzi", Map.of("name", "strimzi-cluster-operator"));
    private static final Endpoint CNPG_OPERATOR = outsidePod("cnpg-operator", "cnpg-system", Map.of("app.kubernetes.io/name", "cloudnative-pg"));
    /** reads enrich's and aggregate's consumer lag (prod's ScaledObjects) */
    private static final Endpoint KEDA_OPERATOR = outsidePod("keda-operator", "keda", Map.of("app.kubernetes.io/name", "keda-operator"));
    /** wears Prometheus's labels in another namespace */
    private static final Endpoint IMPOSTOR = outsidePod("impostor", "other", Map.of("app.kubernetes.io/name", "prometheus"));
    /** a pod someone runs in Pulse's namespace, e.g. kubectl run */
    private static final Endpoint DEBUG = Endpoint.pod("debug-pod", NS, Map.of("run", "debug"), List.of());
    private static final Endpoint INTERNET = Endpoint.external("internet", "203.0.113.7");
    private static final Endpoint API_SERVER = Endpoint.external("kubernetes-api", "172.18.0.2");
    private static final int[] PROBED_PORTS = {53, 80, 443, 5432, 6379, 6443, 8000, 8080, 8443, 9090, 9091, 9092, 9093, 9187};

    private record Flow(String from, String to, int port, String protocol) {
        @Override
        public String toString() {
            return from + " -> " + to + ":" + port + "/" + protocol;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void exactlyTheNeededFlowsAreAllowed(String overlay) throws Exception {
        List<JsonNode> objects = Manifests.render(overlay);
        List<NetworkPolicy> policies = new ArrayList<>();
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("NetworkPolicy")) {
                policies.add(Manifests.YAML.treeToValue(o, NetworkPolicy.class));
            }
        }
        Map<String, Endpoint> pods = pods(objects);
        List<Endpoint> all = new ArrayList<>(pods.values());
        all.addAll(List.of(INGRESS_CONTROLLER, PROMETHEUS, DNS, STRIMZI_OPERATOR, CNPG_OPERATOR, KEDA_OPERATOR, IMPOSTOR, DEBUG, INTERNET, API_SERVER));
        Set<Flow> needed = needed(pods, overlay);
        NetworkPolicyEvaluator evaluator = new NetworkPolicyEvaluator(policies, Map.of());

        Set<String> wrong = new TreeSet<>();
        for (Endpoint from : all) {
            for (Endpoint to : all) {
                if (from == to || !(NS.equals(from.namespace()) || NS.equals(to.namespace()))) {
                    continue;
                }
                for (int port : ports(to)) {
                    for (String protocol : List.of("TCP", "UDP")) {
                        Flow flow = new Flow(from.name(), to.name(), port, protocol);
                        boolean allowed = evaluator.allows(from, to, port, protocol);
                        if (allowed != needed.contains(flow)) {
                            wrong.add((allowed ? "allowed but not needed: " : "needed but denied: ") + flow);
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), wrong, overlay + ": the NetworkPolicies against the flows Pulse needs");

        String kafka = overlay.equals("dev") ? "kafka" : "pulse-kafka-combined-0";
        String postgres = overlay.equals("dev") ? "postgres" : "pulse-db-1";
        List<Flow> denied = new ArrayList<>(List.of(
                new Flow("query-api", kafka, 9092, "TCP"),
                new Flow("pulse-migrate", kafka, 9092, "TCP"),
                new Flow("enrich-service", "redis", 6379, "TCP"),
                new Flow("pulse-migrate", "redis", 6379, "TCP"),
                new Flow("internet", "enrich-service", 8080, "TCP"),
                new Flow("internet", "ingest-service", 8080, "TCP"),
                new Flow("ingress-controller", "enrich-service", 8080, "TCP"),
                new Flow("ingress-controller", "aggregate-service", 8080, "TCP"),
                new Flow("query-api", "aggregate-service", 8080, "TCP"),
                new Flow("query-api", "ingest-service", 8080, "TCP"),
                new Flow("impostor", "ingest-service", 8080, "TCP"),
                new Flow("debug-pod", postgres, 5432, "TCP"),
                new Flow("redis", postgres, 5432, "TCP"),
                new Flow(kafka, postgres, 5432, "TCP"),
                new Flow("prometheus", postgres, 5432, "TCP"),
                new Flow("ingress-controller", postgres, 5432, "TCP"),
                new Flow("ingest-service", "kubernetes-api", 6443, "TCP"),
                new Flow("aggregate-service", "internet", 443, "TCP"),
                new Flow("keda-operator", postgres, 5432, "TCP"),
                new Flow("keda-operator", "enrich-service", 8080, "TCP")));
        for (Flow flow : denied) {
            assertFalse(needed.contains(flow), "listed as denied and as needed: " + flow);
            assertFalse(evaluator.allows(endpoint(all, flow.from()), endpoint(all, flow.to()), flow.port(), flow.protocol()), "allowed: " + flow);
        }
    }

    /** The flows Pulse needs, from the pods' roles. */
    private static Set<Flow> needed(Map<String, Endpoint> pods, String overlay) {
        Set<Flow> flows = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        List<String> brokers = names(pods, "strimzi.io/name", "pulse-kafka-kafka");
        List<String> kafka = overlay.equals("dev") ? List.of("kafka") : brokers;
        List<String> postgres = overlay.equals("dev") ? List.of("postgres") : names(pods, "cnpg.io/cluster", "pulse-db");
        for (String service : List.of("ingest-service", "query-api")) {
            flows.add(new Flow(INGRESS_CONTROLLER.name(), service, 8080, "TCP"));
        }
        for (String service : List.of("ingest-service", "enrich-service", "aggregate-service", "query-api")) {
            flows.add(new Flow(PROMETHEUS.name(), service, 8080, "TCP"));
        }
        for (String client : List.of("ingest-service", "enrich-service", "aggregate-service")) {
            kafka.forEach(k -> flows.add(new Flow(client, k, 9092, "TCP")));
        }
        for (String client : List.of("ingest-service", "enrich-service", "aggregate-service", "query-api", "pulse-migrate")) {
            postgres.forEach(p -> flows.add(new Flow(client, p, 5432, "TCP")));
        }
        // ingest: the global rate-limit buckets; aggregate and query-api: the real-time views
        for (String client : List.of("ingest-service", "aggregate-service", "query-api")) {
            flows.add(new Flow(client, "redis", 6379, "TCP"));
        }
        for (Endpoint pod : pods.values()) {
            flows.add(new Flow(pod.name(), DNS.name(), 53, "UDP"));
            flows.add(new Flow(pod.name(), DNS.name(), 53, "TCP"));
        }
        flows.add(new Flow(DEBUG.name(), DNS.name(), 53, "UDP"));
        flows.add(new Flow(DEBUG.name(), DNS.name(), 53, "TCP"));
        if (overlay.equals("prod")) {
            String entityOperator = "pulse-kafka-entity-operator";
            for (String broker : brokers) {
                for (String other : brokers) {
                    if (!other.equals(broker)) {
                        flows.add(new Flow(broker, other, 9090, "TCP"));
                        flows.add(new Flow(broker, other, 9091, "TCP"));
                    }
                }
                flows.add(new Flow(entityOperator, broker, 9091, "TCP"));
                flows.add(new Flow(KEDA_OPERATOR.name(), broker, 9092, "TCP"));
                for (int port : new int[] {9090, 9091, 8443}) {
                    flows.add(new Flow(STRIMZI_OPERATOR.name(), broker, port, "TCP"));
                }
            }
            List<String> apiClients = new ArrayList<>(postgres);
            apiClients.add(entityOperator);
            for (String client : apiClients) {
                flows.add(new Flow(client, API_SERVER.name(), 443, "TCP"));
                flows.add(new Flow(client, API_SERVER.name(), 6443, "TCP"));
                // the API is reached by address, which could be anywhere: the same rule lets them reach the internet on those ports
                flows.add(new Flow(client, INTERNET.name(), 443, "TCP"));
                flows.add(new Flow(client, INTERNET.name(), 6443, "TCP"));
            }
            for (String instance : postgres) {
                postgres.stream().filter(other -> !other.equals(instance)).forEach(other -> flows.add(new Flow(instance, other, 5432, "TCP")));
                flows.add(new Flow(CNPG_OPERATOR.name(), instance, 8000, "TCP"));
            }
        }
        return flows;
    }

    /** The pods of the rendered workloads, and those the operators make for the rendered custom resources. */
    private static Map<String, Endpoint> pods(List<JsonNode> objects) {
        Map<String, Endpoint> pods = new LinkedHashMap<>();
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            if (List.of("Deployment", "StatefulSet", "Job").contains(kind)) {
                String name = o.at("/spec/template/metadata/labels/app.kubernetes.io~1name").asText();
                List<NamedPort> ports = new ArrayList<>();
                o.at("/spec/template/spec/containers").forEach(c -> c.path("ports").forEach(p -> ports.add(
                        new NamedPort(p.path("name").asText(), p.path("containerPort").asInt(), p.path("protocol").asText("TCP")))));
                pods.put(name, Endpoint.pod(name, NS, labels(o.at("/spec/template/metadata/labels")), ports));
            } else if (kind.equals("KafkaNodePool")) {
                String cluster = o.at("/metadata/labels/strimzi.io~1cluster").asText();
                String pool = o.at("/metadata/name").asText();
                Map<String, String> labels = labels(o.at("/spec/template/pod/metadata/labels"));
                labels.putAll(Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka", "strimzi.io/name", cluster + "-kafka",
                        "strimzi.io/pool-name", pool));
                List<NamedPort> ports = new ArrayList<>(List.of(new NamedPort("tcp-ctrlplane", 9090, "TCP"),
                        new NamedPort("tcp-replication", 9091, "TCP"), new NamedPort("tcp-kafkaagent", 8443, "TCP")));
                Manifests.of(objects, "Kafka", cluster).at("/spec/kafka/listeners")
                        .forEach(l -> ports.add(new NamedPort("tcp-" + l.path("name").asText(), l.path("port").asInt(), "TCP")));
                for (int i = 0; i < o.at("/spec/replicas").asInt(); i++) {
                    String name = cluster + "-" + pool + "-" + i;
                    pods.put(name, Endpoint.pod(name, NS, labels, ports));
                }
            } else if (kind.equals("Kafka")) {
                String cluster = o.at("/metadata/name").asText();
                String name = cluster + "-entity-operator";
                pods.put(name, Endpoint.pod(name, NS, Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka", "strimzi.io/name", name),
                        List.of()));
            } else if (kind.equals("Cluster")) {
                String cluster = o.at("/metadata/name").asText();
                for (int i = 1; i <= o.at("/spec/instances").asInt(); i++) {
                    Map<String, String> labels = labels(o.at("/spec/inheritedMetadata/labels"));
                    labels.putAll(Map.of("cnpg.io/cluster", cluster, "cnpg.io/podRole", "instance", "cnpg.io/instanceName", cluster + "-" + i,
                            "cnpg.io/instanceRole", i == 1 ? "primary" : "replica"));
                    pods.put(cluster + "-" + i, Endpoint.pod(cluster + "-" + i, NS, labels, List.of(new NamedPort("postgresql", 5432, "TCP"),
                            new NamedPort("status", 8000, "TCP"), new NamedPort("metrics", 9187, "TCP"))));
                }
            }
        }
        return pods;
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new HashMap<>();
        node.properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static List<String> names(Map<String, Endpoint> pods, String label, String value) {
        return pods.values().stream().filter(p -> value.equals(p.labels().get(label))).map(Endpoint::name).toList();
    }

    private static Set<Integer> ports(Endpoint to) {
        Set<Integer> ports = new TreeSet<>();
        to.ports().forEach(p -> ports.add(p.port()));
        for (int p : PROBED_PORTS) {
            ports.add(p);
        }
        return ports;
    }

    private static Endpoint endpoint(List<Endpoint> all, String name) {
        return all.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no endpoint " + name));
    }

    private static Endpoint outsidePod(String name, String namespace, Map<String, String> labels) {
        return Endpoint.pod(name, namespace, labels, List.of());
    }
}
