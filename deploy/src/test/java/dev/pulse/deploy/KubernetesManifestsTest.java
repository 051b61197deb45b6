package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.runtime.config.ProductionSecrets;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders each overlay with {@code kubectl kustomize} (offline) and checks it: every built-in object parses
 * into the Kubernetes object model without unknown fields, the Strimzi objects into Strimzi's model likewise, the
 * Strimzi and CloudNativePG objects validate against their CRDs' schemas and carry what Pulse relies on, and the
 * manifests agree with the services (env vars, probes, ports, topics, images, a Secret per service holding only
 * what it uses, database logins), and prod does not render without the operator's secrets.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Manifests.ROOT;
    private static final ObjectMapper YAML = Manifests.YAML;
    private static final Map<String, Class<? extends HasMetadata>> BUILT_IN = Map.ofEntries(
            Map.entry("Namespace", Namespace.class), Map.entry("ConfigMap", ConfigMap.class), Map.entry("Secret", Secret.class),
            Map.entry("Service", Service.class), Map.entry("Deployment", Deployment.class), Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("Job", Job.class), Map.entry("Ingress", Ingress.class), Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class), Map.entry("PodDisruptionBudget", PodDisruptionBudget.class));
    /** Strimzi's own model classes: parsed as strictly as the built-ins. */
    private static final Map<String, Class<?>> STRIMZI = Map.of(
            "kafka.strimzi.io/v1/Kafka", Kafka.class,
            "kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class,
            "kafka.strimzi.io/v1/KafkaUser", KafkaUser.class);
    /** What Pulse relies on being set, beyond what the operators' schemas require. */
    private static final Map<String, List<String>> CUSTOM_REQUIRED = Map.of(
            "kafka.strimzi.io/v1/Kafka", List.of("/spec/kafka/listeners", "/spec/kafka/version"),
            "kafka.strimzi.io/v1/KafkaNodePool", List.of("/spec/replicas", "/spec/roles", "/spec/storage/type"),
            "kafka.strimzi.io/v1/KafkaTopic", List.of("/spec/topicName", "/spec/partitions", "/spec/replicas", "/metadata/labels/strimzi.io~1cluster"),
            "kafka.strimzi.io/v1/KafkaUser", List.of("/spec/authentication/type", "/spec/authorization/acls", "/metadata/labels/strimzi.io~1cluster"),
            "postgresql.cnpg.io/v1/Cluster", List.of("/spec/instances", "/spec/storage/size", "/spec/bootstrap/initdb/database"),
            "monitoring.coreos.com/v1/PrometheusRule", List.of("/spec/groups/0/rules/0/alert", "/spec/groups/0/rules/0/expr"),
            "keda.sh/v1alpha1/ScaledObject", List.of("/spec/scaleTargetRef/name", "/spec/maxReplicaCount", "/spec/triggers/0/authenticationRef/name"),
            "keda.sh/v1alpha1/TriggerAuthentication", List.of("/spec/secretTargetRef"));
    /** Keys of a Secret that hold no secret: logins, and KEDA's connection settings (a TriggerAuthentication reads only Secrets). */
    private static final Set<String> NOT_SECRET_KEYS = Set.of("username", "sasl", "tls");
    private static final Path CRD_SCHEMAS = ROOT.resolve("deploy/src/test/crd-schemas");
    private static final String ADMIN = "/v1/admin";
    private static final String[] SERVICES = {"ingest-service", "enrich-service", "aggregate-service", "query-api"};

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void overlayRendersToValidConsistentObjects(String overlay) throws Exception {
        List<JsonNode> objects = Manifests.render(overlay);
        List<HasMetadata> typed = new ArrayList<>();
        List<JsonNode> custom = new ArrayList<>();
        for (JsonNode object : objects) {
            String kind = object.path("kind").asText();
            String key = object.path("apiVersion").asText() + "/" + kind;
            if (BUILT_IN.containsKey(kind)) {
                HasMetadata parsed = YAML.treeToValue(object, BUILT_IN.get(kind));
                List<String> unknown = new ArrayList<>();
                unknownFields(parsed, kind + "/" + parsed.getMetadata().getName(), unknown, new IdentityHashMap<>());
                assertTrue(unknown.isEmpty(), "fields unknown to the Kubernetes schema: " + unknown);
                typed.add(parsed);
            } else if (CUSTOM_REQUIRED.containsKey(key)) {
                for (String pointer : CUSTOM_REQUIRED.get(key)) {
                    assertTrue(!object.at(pointer).isMissingNode(), key + " " + object.at("/metadata/name") + " lacks " + pointer);
                }
                if (STRIMZI.containsKey(key)) {
                    List<String> unknown = new ArrayList<>();
                    unknownFields(YAML.treeToValue(object, STRIMZI.get(key)), key + "/" + object.at("/metadata/name").asText(), unknown,
                            new IdentityHashMap<>());
                    assertTrue(unknown.isEmpty(), "fields unknown to Strimzi's model: " + unknown);
                }
                custom.add(object);
            } else {
                fail("no schema for " + key);
            }
        }
        assertEquals(List.of(), invalidAgainstOperatorSchemas(custom), "custom resources against their CRDs' schemas");
        checkServices(typed, overlay);
        checkSecrets(typed, objects, overlay);
        checkTopics(objects, overlay);
        checkScaling(typed, objects);
    }

    /** The PrometheusRule carries exactly the rules of the plain file, so both ways of deploying alert alike. */
    @Test
    void prometheusRuleEqualsThePlainRulesFile() throws Exception {
        JsonNode rule = Manifests.render("prod").stream().filter(o -> o.path("kind").asText().equals("PrometheusRule")).findFirst().orElseThrow();
        JsonNode plain = YAML.readTree(ROOT.resolve("deploy/monitoring/pulse-rules.yaml").toFile());
        assertEquals(plain.get("groups"), rule.at("/spec/groups"));
        Set<String> alerts = new TreeSet<>();
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (JsonNode group : plain.get("groups")) {
            for (JsonNode r : group.get("rules")) {
                assertTrue(alerts.add(r.get("alert").asText()), "alert names are unique: " + r.get("alert"));
                assertTrue(readme.contains("| `" + r.get("alert").asText() + "` |"), "README's alerts table has a runbook line for " + r.get("alert"));
                assertTrue(r.at("/annotations/summary").isTextual() && r.at("/labels/severity").isTextual(), r.get("alert") + " has a summary and a severity");
            }
        }
    }

    /** The dashboards ConfigMap is what Grafana's sidecar loads: labelled, and each dashboard valid JSON with queries. */
    @Test
    void dashboardsAreGrafanaSidecarConfigMaps() throws Exception {
        JsonNode configMap = Manifests.render("prod").stream().filter(o -> o.at("/metadata/name").asText().equals("pulse-dashboards")).findFirst().orElseThrow();
        assertEquals("1", configMap.at("/metadata/labels/grafana_dashboard").asText());
        Map<String, JsonNode> dashboards = Dashboards.all(ROOT);
        assertEquals(configMap.get("data").size(), dashboards.size());
        for (Map.Entry<String, JsonNode> dashboard : dashboards.entrySet()) {
            Set<Integer> ids = new TreeSet<>();
            for (JsonNode panel : dashboard.getValue().get("panels")) {
                assertTrue(ids.add(panel.get("id").asInt()), dashboard.getKey() + ": panel ids are unique");
                assertTrue(panel.get("targets").size() > 0 && panel.get("targets").findValues("expr").stream().noneMatch(e -> e.asText().isBlank()),
                        dashboard.getKey() + " panel " + panel.get("title") + " has queries");
            }
            assertTrue(dashboard.getValue().get("uid").isTextual(), dashboard.getKey() + " has a uid");
        }
        assertTrue(Dashboards.queries(ROOT).size() >= 10, "the pipeline dashboard's queries are found");
    }

    @Test
    void prodDoesNotRenderWithoutTheOperatorsSecrets() throws Exception {
        Manifests.Rendering rendering = Manifests.kustomize("prod", false);
        assertTrue(rendering.exit() != 0, "prod rendered without secrets: " + rendering.output());
        assertTrue(rendering.output().contains("secrets/pulse-migrate.env") && rendering.output().contains("no such file"), rendering.output());
    }

    @Test
    void theOperatorSchemaCheckRejectsABrokenResource() throws Exception {
        JsonNode topic = YAML.readTree("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: broken, labels: {strimzi.io/cluster: pulse-kafka}}
                spec: {topicName: events.raw, partitions: twelve, replicas: 3}
                """);
        JsonNode cluster = YAML.readTree("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: broken}
                spec: {instances: 3, storage: {size: 1Gi}, primaryUpdateStrategy: whenever}
                """);
        JsonNode user = YAML.readTree("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaUser
                metadata: {name: broken, labels: {strimzi.io/cluster: pulse-kafka}}
                spec: {authentication: {type: password}}
                """);
        JsonNode rule = YAML.readTree("""
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: broken}
                spec: {groups: [{name: g, rules: [{alert: A, expr: up == 0, for: five minutes}]}]}
                """);
        List<String> problems = invalidAgainstOperatorSchemas(List.of(topic, cluster, user, rule));
        assertEquals(4, problems.size(), String.valueOf(problems));
        assertTrue(problems.get(0).contains("partitions"), problems.get(0));
        assertTrue(problems.get(1).contains("primaryUpdateStrategy"), problems.get(1));
        assertTrue(problems.get(2).contains("KafkaUser broken") && problems.get(2).contains("type"), problems.get(2));
        assertTrue(problems.get(3).contains("for"), problems.get(3));
    }

    /**
     * Validates Strimzi, CloudNativePG and prometheus-operator objects against the JSON schemas of the operators' CRDs, offline: the
     * validators are generated from those CRDs (npm's kubernetes-models, pinned in crd-schemas/package-lock.json)
     * and run under Node.js, installed once into target/.
     */
    private static List<String> invalidAgainstOperatorSchemas(List<JsonNode> objects) throws IOException, InterruptedException {
        Path dir = ROOT.resolve("deploy/target/crd-schemas");
        Files.createDirectories(dir);
        for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(CRD_SCHEMAS.resolve(file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // installed again whenever the lockfile changed since (a target/ kept from before a new pin)
        Path installedLock = dir.resolve("node_modules/.installed-package-lock.json");
        byte[] lock = Files.readAllBytes(dir.resolve("package-lock.json"));
        if (!Files.exists(installedLock) || !java.util.Arrays.equals(lock, Files.readAllBytes(installedLock))) {
            run(dir, null, "npm", "ci", "--no-audit", "--no-fund");
            Files.write(installedLock, lock);
        }
        String output = run(dir, new ObjectMapper().writeValueAsString(objects), "node", "validate.mjs");
        return output.lines().filter(line -> line.startsWith("INVALID ")).toList();
    }

    /** @return stdout; without the program (Node.js, npm) the test is reported as skipped, as without kubectl */
    private static String run(Path dir, String stdin, String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Assumptions.abort(command[0] + " is not installed (the CRD schema validation needs Node.js and npm): " + e.getMessage());
        }
        if (stdin != null) {
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            process.getOutputStream().close();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertTrue(exit == 0 || (exit == 1 && output.contains("INVALID ")), String.join(" ", command) + " failed: " + output);
        return output;
    }

    /** fabric8 keeps fields it does not know in additionalProperties: any there is a field the schema lacks. */
    private static void unknownFields(Object value, String path, List<String> unknown, Map<Object, Boolean> seen) throws Exception {
        if (value == null || seen.put(value, true) != null || value.getClass().isPrimitive() || value instanceof String
                || value instanceof Number || value instanceof Boolean || value.getClass().isEnum()) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                unknownFields(entry.getValue(), path + "." + entry.getKey(), unknown, seen);
            }
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8") && !value.getClass().getPackageName().startsWith("io.strimzi")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + " " + extra.keySet());
                }
            } else {
                unknownFields(child, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    private static void checkServices(List<HasMetadata> objects, String overlay) throws IOException {
        Map<String, ConfigMap> configMaps = byName(objects, ConfigMap.class);
        Map<String, Service> services = byName(objects, Service.class);
        Map<String, Deployment> deployments = byName(objects, Deployment.class);
        Set<String> readByAny = new TreeSet<>(Set.of("QUARKUS_PROFILE"));
        for (String name : SERVICES) {
            readByAny.addAll(envRead(name));
        }
        for (String name : SERVICES) {
            Deployment deployment = deployments.get(name);
            assertNotNull(deployment, "a Deployment for " + name);
            Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertEquals("pulse/" + name, c.getImage().replaceFirst(":[^:/]+$", ""), "image of " + name);
            assertTrue(Files.exists(ROOT.resolve(name).resolve("src/main/docker/Dockerfile.jvm")), "Dockerfile of " + name);
            assertEquals("/q/health/started", c.getStartupProbe().getHttpGet().getPath());
            assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath());
            assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath());
            assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
            assertEquals(8080, c.getPorts().get(0).getContainerPort());
            assertEquals("http", c.getPorts().get(0).getName());
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), "read-only root fs");
            assertTrue(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot(), "non-root");
            Set<String> read = envRead(name);
            for (EnvVar env : c.getEnv()) {
                boolean feedsAnother = c.getEnv().stream().anyMatch(other -> other.getValue() != null && other.getValue().contains("$(" + env.getName() + ")"));
                assertTrue(read.contains(env.getName()) || env.getName().equals("JAVA_OPTS_APPEND") || feedsAnother,
                        name + " sets " + env.getName() + ", which it does not read");
            }
            assertEquals("8080", c.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_HTTP_PORT")).findFirst().orElseThrow().getValue());
            for (EnvFromSource from : c.getEnvFrom()) {
                assertEquals(null, from.getSecretRef(), name + " must read its secrets key by key, not a whole shared Secret");
                for (String key : configMaps.get(from.getConfigMapRef().getName()).getData().keySet()) {
                    assertTrue(readByAny.contains(key), "shared config " + key + " is read by no service");
                }
            }
            Service service = services.get(name);
            assertNotNull(service, "a Service for " + name);
            assertEquals(deployment.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/name"),
                    service.getSpec().getSelector().get("app.kubernetes.io/name"));
            assertEquals("http", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        }
        // the migrate Job runs the schema's own entry point, with only settings it reads (its config's placeholders, or
        // Quarkus properties such as QUARKUS_FLYWAY_INIT_SQL)
        Job migrate = byName(objects, Job.class).values().iterator().next();
        Container migrator = migrate.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("pulse/schema-migrate", migrator.getImage().replaceFirst(":[^:/]+$", ""), "image of the migrate Job");
        assertTrue(Files.exists(ROOT.resolve("schema-migrate/src/main/docker/Dockerfile.jvm")), "Dockerfile of schema-migrate");
        Set<String> migratorReads = envRead("schema-migrate");
        migrator.getEnv().forEach(env -> assertTrue(migratorReads.contains(env.getName()) || env.getName().startsWith("QUARKUS_"), "the migrate Job sets " + env.getName() + ", which it does not read"));
        // dev runs plaintext backing services: not the prod profile, which would refuse them
        assertEquals(overlay.equals("dev") ? "local" : null, configMaps.get("pulse-config").getData().get("QUARKUS_PROFILE"), "Quarkus profile");
        Ingress ingress = byName(objects, Ingress.class).get("pulse");
        Set<String> backends = new TreeSet<>();
        Set<String> withAdminApi = new TreeSet<>();
        for (String name : SERVICES) {
            if (ServiceSources.mentions(ROOT.resolve(name).resolve("src/main/java"), "@Path(\"" + ADMIN)) {
                withAdminApi.add(name);
            }
        }
        assertEquals(Set.of("ingest-service", "aggregate-service"), withAdminApi, "the services with an admin API");
        ingress.getSpec().getRules().forEach(r -> r.getHttp().getPaths().forEach(p -> {
            String backend = p.getBackend().getService().getName();
            backends.add(backend);
            if (withAdminApi.contains(backend)) {
                // as plain string prefixes, which covers both Prefix matching and controllers that match loosely
                String path = p.getPath().replaceAll("/+$", "");
                assertTrue(!ADMIN.startsWith(path) && !path.startsWith(ADMIN) && !"ImplementationSpecific".equals(p.getPathType()),
                        "the admin API of " + backend + " is not public: " + p.getPath());
            }
        }));
        assertEquals(Set.of("ingest-service", "query-api"), backends, "only the public APIs are exposed");
        for (HasMetadata workload : objects) {
            PodSpec pod = workload instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                    : workload instanceof StatefulSet st ? st.getSpec().getTemplate().getSpec()
                    : workload instanceof Job j ? j.getSpec().getTemplate().getSpec() : null;
            if (pod != null) {
                String name = workload.getKind() + " " + workload.getMetadata().getName();
                assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), name + " never calls the Kubernetes API: no token mounted");
                if (overlay.equals("prod")) {
                    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name + " runs as non-root");
                    for (Container container : pod.getContainers()) {
                        assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), name + " escalates no privilege");
                        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop(), name + " drops capabilities");
                    }
                }
            }
        }
    }

    /**
     * Each workload of Pulse (the four services, the migrate Job) reads one Secret of its own, which holds only
     * what it reads; in prod each value is strong, and the database logins agree with CloudNativePG's roles.
     */
    private static void checkSecrets(List<HasMetadata> objects, List<JsonNode> all, String overlay) {
        Map<String, Secret> secrets = byName(objects, Secret.class);
        Map<String, PodSpec> workloads = new TreeMap<>();
        byName(objects, Deployment.class).forEach((name, d) -> workloads.put(name, d.getSpec().getTemplate().getSpec()));
        byName(objects, Job.class).values().forEach(j -> workloads.put("pulse-migrate", j.getSpec().getTemplate().getSpec()));
        Set<String> madeByStrimzi = new TreeSet<>();
        all.stream().filter(o -> o.path("kind").asText().equals("KafkaUser")).forEach(o -> madeByStrimzi.add(o.at("/metadata/name").asText()));
        all.stream().filter(o -> o.path("kind").asText().equals("Kafka")).forEach(o -> madeByStrimzi.add(o.at("/metadata/name").asText() + "-cluster-ca-cert"));
        Map<String, Map<String, Set<String>>> keysReadBy = new TreeMap<>();
        workloads.forEach((name, pod) -> keysReadBy.put(name, secretKeysRead(pod)));
        // KEDA reads Secrets for a TriggerAuthentication as a workload does for its pods
        all.stream().filter(o -> o.path("kind").asText().equals("TriggerAuthentication")).forEach(auth -> {
            Map<String, Set<String>> keys = new TreeMap<>();
            auth.at("/spec/secretTargetRef").forEach(ref -> keys.computeIfAbsent(ref.path("name").asText(), k -> new TreeSet<>()).add(ref.path("key").asText()));
            keysReadBy.put(auth.at("/metadata/name").asText(), keys);
        });
        Map<String, Set<String>> readersOfSecret = new TreeMap<>();
        for (Map.Entry<String, Map<String, Set<String>>> workload : keysReadBy.entrySet()) {
            Map<String, Set<String>> keysRead = workload.getValue();
            String own = workload.getKey() + "-secrets";
            assertTrue(keysRead.containsKey(own), workload.getKey() + " reads its own Secret " + own);
            for (Map.Entry<String, Set<String>> read : keysRead.entrySet()) {
                readersOfSecret.computeIfAbsent(read.getKey(), k -> new TreeSet<>()).add(workload.getKey());
                Secret secret = secrets.get(read.getKey());
                if (secret == null) {
                    assertTrue(madeByStrimzi.contains(read.getKey()), workload.getKey() + " reads a Secret nobody makes: " + read.getKey());
                    continue;
                }
                assertEquals(secret.getData().keySet(), read.getValue(), workload.getKey() + " reads all of " + read.getKey() + " and only it");
            }
        }
        // the cluster CA's certificate is public: every Kafka client trusts it
        readersOfSecret.entrySet().stream().filter(e -> !e.getKey().endsWith("-cluster-ca-cert"))
                .forEach(e -> assertEquals(1, e.getValue().size(), "Secret " + e.getKey() + " is shared by " + e.getValue()));
        assertEquals(new TreeSet<>(secrets.keySet()), new TreeSet<>(keysReadBy.keySet().stream().map(w -> w + "-secrets").toList()),
                "one Secret per workload, no other");
        if (overlay.equals("prod")) {
            for (Secret secret : secrets.values()) {
                secret.getData().forEach((key, value) -> {
                    if (!NOT_SECRET_KEYS.contains(key)) {
                        String plain = new String(Base64.getMimeDecoder().decode(value), StandardCharsets.UTF_8);
                        assertEquals(Optional.empty(), ProductionSecrets.weakness(plain), secret.getMetadata().getName() + " " + key);
                    }
                });
            }
            checkDatabaseRoles(all.stream().filter(o -> o.path("kind").asText().equals("Cluster")).findFirst().orElseThrow(), secrets);
        }
    }

    /** Each service's login is a managed role whose password is the service's Secret; the owner's is the migrate Job's. */
    private static void checkDatabaseRoles(JsonNode cluster, Map<String, Secret> secrets) {
        Map<String, String> roleSecrets = new TreeMap<>();
        cluster.at("/spec/managed/roles").forEach(role -> roleSecrets.put(role.path("name").asText(), role.at("/passwordSecret/name").asText()));
        roleSecrets.put(cluster.at("/spec/bootstrap/initdb/owner").asText(), cluster.at("/spec/bootstrap/initdb/secret/name").asText());
        Map<String, String> loginSecrets = new TreeMap<>();
        // a database login's Secret is basic-auth, CloudNativePG's form; KEDA's Kafka settings are not one
        secrets.values().stream().filter(secret -> "kubernetes.io/basic-auth".equals(secret.getType())).forEach(secret -> loginSecrets.put(
                new String(Base64.getMimeDecoder().decode(secret.getData().get("username")), StandardCharsets.UTF_8), secret.getMetadata().getName()));
        assertEquals(loginSecrets, roleSecrets, "database logins (role -> Secret) of the services and of CloudNativePG");
        assertEquals("pulse-migrate-secrets", roleSecrets.get(cluster.at("/spec/bootstrap/initdb/owner").asText()), "the owner is the migrate Job's");
    }

    /** Secret name -> the keys a pod reads from it, as environment variables or mounted files. */
    private static Map<String, Set<String>> secretKeysRead(PodSpec pod) {
        Map<String, Set<String>> read = new TreeMap<>();
        for (Container c : pod.getContainers()) {
            for (EnvVar env : c.getEnv()) {
                EnvVarSource source = env.getValueFrom();
                if (source != null && source.getSecretKeyRef() != null) {
                    read.computeIfAbsent(source.getSecretKeyRef().getName(), k -> new TreeSet<>()).add(source.getSecretKeyRef().getKey());
                }
            }
        }
        pod.getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> read.computeIfAbsent(v.getSecret().getSecretName(), k -> new TreeSet<>())
                .addAll(v.getSecret().getItems().stream().map(i -> i.getKey()).toList()));
        return read;
    }

    /** The environment variables a service reads: placeholders in its config, Quarkus properties, its own prefix. */
    private static Set<String> envRead(String service) throws IOException {
        String properties = Files.readString(ROOT.resolve(service).resolve("src/main/resources/application.properties"));
        Set<String> names = new TreeSet<>();
        Matcher placeholder = Pattern.compile("\\$\\{([A-Z0-9_]+)[:}]").matcher(properties);
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        Matcher property = Pattern.compile("(?m)^(?:%\\w+\\.)?([a-z][\\w.\\-\"]*)=").matcher(properties);
        while (property.find()) {
            names.add(property.group(1).replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
        }
        return names;
    }

    private static void checkTopics(List<JsonNode> objects, String overlay) throws IOException {
        Set<String> used = new TreeSet<>();
        for (String service : SERVICES) {
            Matcher topic = Pattern.compile("(?m)^mp\\.messaging\\.\\w+\\.[\\w-]+\\.topic=(.+)$")
                    .matcher(Files.readString(ROOT.resolve(service).resolve("src/main/resources/application.properties")));
            while (topic.find()) {
                used.add(topic.group(1).trim());
            }
        }
        assertEquals(Set.of("events.raw", "events.enriched", "events.invalid", "catalog.content", "control.erasures"), used, "topics of the services");
        if (overlay.equals("prod")) {
            Set<String> declared = new TreeSet<>();
            objects.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic")).forEach(o -> declared.add(o.at("/spec/topicName").asText()));
            assertEquals(used, declared, "a KafkaTopic for each topic the services use");
        }
    }

    /**
     * A Deployment is scaled by one autoscaler: an HPA of ours or KEDA's ScaledObject (which makes its own HPA). A
     * ScaledObject scales up to its topic's partitions at most, and its credentials come from what the operators make.
     */
    private static void checkScaling(List<HasMetadata> typed, List<JsonNode> objects) {
        Set<String> deployments = byName(typed, Deployment.class).keySet();
        Map<String, String> scaledBy = new TreeMap<>();
        byName(typed, HorizontalPodAutoscaler.class).values().forEach(hpa ->
                assertEquals(null, scaledBy.put(hpa.getSpec().getScaleTargetRef().getName(), "HPA"), "two autoscalers"));
        Map<String, Integer> partitions = new TreeMap<>();
        Set<String> operatorSecrets = new TreeSet<>();
        Map<String, JsonNode> auths = new TreeMap<>();
        for (JsonNode o : objects) {
            String name = o.at("/metadata/name").asText();
            switch (o.path("kind").asText()) {
                case "KafkaTopic" -> partitions.put(o.at("/spec/topicName").asText(), o.at("/spec/partitions").asInt());
                case "KafkaUser" -> operatorSecrets.add(name);
                case "Kafka" -> operatorSecrets.add(name + "-cluster-ca-cert");
                case "TriggerAuthentication" -> auths.put(name, o);
                default -> { }
            }
        }
        for (JsonNode scaled : objects.stream().filter(o -> o.path("kind").asText().equals("ScaledObject")).toList()) {
            String target = scaled.at("/spec/scaleTargetRef/name").asText();
            assertTrue(deployments.contains(target), "ScaledObject of a Deployment: " + target);
            assertEquals(null, scaledBy.put(target, "KEDA"), "two autoscalers for " + target);
            for (JsonNode trigger : scaled.at("/spec/triggers")) {
                int max = scaled.at("/spec/maxReplicaCount").asInt();
                assertTrue(max <= partitions.getOrDefault(trigger.at("/metadata/topic").asText(), 0), target + ": replicas beyond the partitions idle");
                assertTrue(scaled.at("/spec/minReplicaCount").asInt() >= 2, target + ": two replicas at least, as its PodDisruptionBudget assumes");
                JsonNode auth = auths.get(trigger.at("/authenticationRef/name").asText());
                assertNotNull(auth, target + "'s TriggerAuthentication");
                String password = null;
                for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
                    String secret = ref.path("name").asText();
                    assertTrue(operatorSecrets.contains(secret) || secret.equals(auth.at("/metadata/name").asText() + "-secrets"),
                            "a Secret the Strimzi operators make, or the TriggerAuthentication's own: " + ref);
                    if (ref.path("parameter").asText().equals("password")) {
                        password = secret;
                    }
                }
                assertTrue(operatorSecrets.contains(password), target + ": KEDA's Kafka password is a KafkaUser's, made by Strimzi");
            }
        }
    }

    private static <T extends HasMetadata> Map<String, T> byName(List<HasMetadata> objects, Class<T> type) {
        Map<String, T> found = new java.util.HashMap<>();
        objects.stream().filter(type::isInstance).map(type::cast).forEach(o -> found.put(o.getMetadata().getName(), o));
        return found;
    }
}
