package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.Topics;
import dev.pulse.runtime.config.ProductionSecrets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
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
 * Each service's KafkaUser (the one whose Secret its Deployment reads) grants exactly what the service's
 * configuration uses: Read on the topics of its incoming channels and on their consumer groups, Write on the
 * topics of its outgoing channels, and for enrich's own loop (RawEventLoop: events.raw in, events.enriched and
 * events.invalid out, in transactions) its group and its transactional ids; a service whose consumers quarantine
 * records (consumer-safety) writes events.invalid. Nothing more: no Create (topics are
 * KafkaTopic objects, so the services' topic creation is off), nothing for query-api.
 */
class KafkaAclsTest {
    private static final Pattern CHANNEL = Pattern.compile("(?m)^mp\\.messaging\\.(incoming|outgoing)\\.([\\w-]+)\\.(topic|group\\.id)=(.+)$");
    private static final Pattern LOOP = Pattern.compile("(?m)^pulse\\.\\w+\\.loop\\.(group-id|transactional-id-prefix)=(.+)$");
    /** A service whose consumers quarantine records (consumer-safety) publishes them to events.invalid. */
    private static final Pattern QUARANTINE = Pattern.compile("(?m)^pulse\\.consumers\\.service=");
    private static List<JsonNode> prod;

    @BeforeAll
    static void render() throws Exception {
        prod = Manifests.render("prod");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "enrich-service", "aggregate-service", "query-api"})
    void theServicesKafkaUserGrantsExactlyWhatItsConfigurationUses(String service) throws IOException {
        Set<String> used = used(service);
        JsonNode container = of("Deployment", service).at("/spec/template/spec/containers/0");
        String user = null;
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                user = env.at("/valueFrom/secretKeyRef/name").asText();
                assertEquals("sasl.jaas.config", env.at("/valueFrom/secretKeyRef/key").asText());
            }
        }
        if (used.isEmpty()) {
            assertEquals(null, user, service + " uses no Kafka and gets no Kafka credentials");
            return;
        }
        assertTrue(user != null, service + " reads its Kafka credentials");
        assertEquals(used, granted(of("KafkaUser", user)), "ACLs of " + user + " for " + service);
    }

    @Test
    void everyKafkaUserBelongsToOneServiceAndTheListenerRequiresThem() {
        Set<String> users = new TreeSet<>();
        prod.stream().filter(o -> o.path("kind").asText().equals("KafkaUser")).forEach(o -> users.add(o.at("/metadata/name").asText()));
        Set<String> read = new TreeSet<>();
        prod.stream().filter(o -> o.path("kind").asText().equals("Deployment"))
                .forEach(d -> d.at("/spec/template/spec/containers/0/env").forEach(env -> {
                    if (env.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                        assertTrue(read.add(env.at("/valueFrom/secretKeyRef/name").asText()), "a Kafka user shared by two services");
                    }
                }));
        assertEquals(Set.of("pulse-ingest", "pulse-enrich", "pulse-aggregate", "pulse-keda"), users);
        prod.stream().filter(o -> o.path("kind").asText().equals("TriggerAuthentication"))
                .forEach(auth -> auth.at("/spec/secretTargetRef").forEach(ref -> {
                    if (ref.path("parameter").asText().equals("password")) {
                        read.add(ref.path("name").asText());
                    }
                }));
        assertEquals(users, read, "each KafkaUser is some service's, or KEDA's");
        JsonNode kafka = of("Kafka", "pulse-kafka").at("/spec/kafka");
        assertEquals(1, kafka.path("listeners").size(), "one listener");
        JsonNode listener = kafka.path("listeners").get(0);
        assertTrue(listener.path("tls").asBoolean(), "TLS");
        assertEquals("scram-sha-512", listener.at("/authentication/type").asText());
        assertEquals("simple", kafka.at("/authorization/type").asText(), "ACLs enforced");
        assertEquals("false", of("ConfigMap", "pulse-config").at("/data/PULSE_TOPIC_CREATE").asText(), "no Create ACL: the services create no topic");
        int length = 0;
        for (JsonNode env : of("Kafka", "pulse-kafka").at("/spec/entityOperator/template/userOperatorContainer/env")) {
            if (env.path("name").asText().equals("STRIMZI_SCRAM_SHA_PASSWORD_LENGTH")) {
                length = Integer.parseInt(env.path("value").asText());
            }
        }
        assertTrue(length >= ProductionSecrets.MIN_LENGTH, "the User Operator makes SASL passwords the services accept: " + length);
    }

    /**
     * KEDA's user may only Describe the topic and group of each ScaledObject's trigger, and each trigger names a
     * topic and group the scaled service itself consumes with: the lag it scales on is that service's own.
     */
    @Test
    void kedaDescribesExactlyTheGroupsItScalesOn() throws IOException {
        Set<String> describe = new TreeSet<>();
        for (JsonNode scaled : prod.stream().filter(o -> o.path("kind").asText().equals("ScaledObject")).toList()) {
            String service = scaled.at("/spec/scaleTargetRef/name").asText();
            for (JsonNode trigger : scaled.at("/spec/triggers")) {
                assertEquals("kafka", trigger.path("type").asText());
                String topic = trigger.at("/metadata/topic").asText();
                String group = trigger.at("/metadata/consumerGroup").asText();
                Set<String> used = used(service);
                assertTrue(used.contains("topic:literal:" + topic + ":Read") && used.contains(group(group)),
                        service + " consumes " + topic + " as group " + group + ": " + used);
                describe.add("topic:literal:" + topic + ":Describe");
                describe.add("group:literal:" + group + ":Describe");
            }
        }
        assertEquals(Set.of("enrich-service", "aggregate-service"), prod.stream().filter(o -> o.path("kind").asText().equals("ScaledObject"))
                .map(o -> o.at("/spec/scaleTargetRef/name").asText()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(describe, granted(of("KafkaUser", "pulse-keda")));
    }

    /** type:patternType:name:operation for each topic, group and transactional id the service's configuration uses. */
    private static Set<String> used(String service) throws IOException {
        String properties = Files.readString(Manifests.ROOT.resolve(service).resolve("src/main/resources/application.properties"));
        Map<String, String> topics = new TreeMap<>();
        Map<String, String> groups = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        Matcher channel = CHANNEL.matcher(properties);
        while (channel.find()) {
            String key = channel.group(1) + " " + channel.group(2);
            (channel.group(3).equals("topic") ? topics : groups).put(key, channel.group(4).trim());
        }
        topics.forEach((key, topic) -> {
            if (key.startsWith("incoming")) {
                used.add("topic:literal:" + topic + ":Read");
                assertTrue(groups.containsKey(key), service + " " + key + " names its consumer group");
                used.add(group(groups.get(key)));
            } else {
                used.add("topic:literal:" + topic + ":Write");
            }
        });
        if (QUARANTINE.matcher(properties).find()) {
            used.add("topic:literal:" + Topics.INVALID + ":Write");
        }
        Matcher loop = LOOP.matcher(properties);
        while (loop.find()) {
            if (loop.group(1).equals("group-id")) {
                used.addAll(List.of("topic:literal:" + Topics.RAW + ":Read", group(loop.group(2).trim()),
                        "topic:literal:" + Topics.ENRICHED + ":Write", "topic:literal:" + Topics.INVALID + ":Write"));
            } else {
                used.add("transactionalId:prefix:" + loop.group(2).trim() + ":Write");
            }
        }
        return used;
    }

    /** A group id with a placeholder (one group per instance) is covered by a prefix ACL up to the placeholder. */
    private static String group(String id) {
        int placeholder = id.indexOf("${");
        return placeholder < 0 ? "group:literal:" + id + ":Read" : "group:prefix:" + id.substring(0, placeholder) + ":Read";
    }

    private static Set<String> granted(JsonNode user) {
        Set<String> granted = new TreeSet<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            assertEquals("allow", acl.path("type").asText("allow"), "only allow rules");
            assertEquals("*", acl.path("host").asText("*"));
            for (JsonNode operation : acl.path("operations")) {
                String entry = acl.at("/resource/type").asText() + ":" + acl.at("/resource/patternType").asText("literal") + ":"
                        + acl.at("/resource/name").asText() + ":" + operation.asText();
                assertTrue(granted.add(entry), "granted twice: " + entry);
            }
        }
        return granted;
    }

    private static JsonNode of(String kind, String name) {
        return Manifests.of(prod, kind, name);
    }
}
