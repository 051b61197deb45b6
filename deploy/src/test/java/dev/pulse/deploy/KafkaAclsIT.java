package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.Topics;
import dev.pulse.deploy.local.KafkaBroker;
import dev.pulse.deploy.local.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prod overlay's KafkaUser ACLs on a real broker that enforces them (KRaft's StandardAuthorizer, a SCRAM-SHA-512
 * listener), set up as Strimzi's User Operator would from the rendered KafkaUser objects: each service's Kafka
 * client work, done with the same client settings as the service (idempotent producers with acks=all; enrich's
 * consumer group and transactional producer committing offsets in its transactions; the per-instance catalog
 * group; aggregate's read_committed groups), succeeds; what is not the service's is refused. KafkaAclsTest checks
 * that the ACLs name what the services' configuration uses; this checks that those ACLs are enough to work.
 */
class KafkaAclsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Map<String, String> PASSWORDS = new HashMap<>();
    private static KafkaBroker broker;
    private static String sasl;

    @BeforeAll
    static void start() throws Exception {
        List<JsonNode> prod = Manifests.render("prod");
        Path dir = Files.createTempDirectory("pulse-kafka-acls");
        int saslPort = Ports.free();
        sasl = "127.0.0.1:" + saslPort;
        broker = KafkaBroker.start(dir, Ports.free(), ProcessHandle.current().info().command().orElse("java"),
                System.getProperty("java.class.path"), Map.of(
                        "listeners", "SASL_PLAINTEXT://" + sasl,
                        "advertised.listeners", "SASL_PLAINTEXT://" + sasl,
                        "listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT",
                        "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                        // the broker itself and this test's set-up, on the plaintext listener, play the operator
                        "super.users", "User:ANONYMOUS"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            prod.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic")).forEach(t -> topics.add(
                    new NewTopic(t.at("/spec/topicName").asText(), 3, (short) 1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, t.at("/spec/config/cleanup.policy").asText()))));
            admin.createTopics(topics).all().get();
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            prod.stream().filter(o -> o.path("kind").asText().equals("KafkaUser")).forEach(user -> {
                String name = user.at("/metadata/name").asText();
                PASSWORDS.put(name, UUID.randomUUID().toString());
                users.add(new UserScramCredentialUpsertion(name, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        PASSWORDS.get(name)));
                user.at("/spec/authorization/acls").forEach(acl -> acl.path("operations").forEach(operation -> acls.add(new AclBinding(
                        new ResourcePattern(byName(ResourceType.values(), acl.at("/resource/type").asText()),
                                acl.at("/resource/name").asText("kafka-cluster"),
                                acl.at("/resource/patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL),
                        new AccessControlEntry("User:" + name, acl.path("host").asText("*"), byName(AclOperation.values(), operation.asText()),
                                AclPermissionType.ALLOW)))));
            });
            assertEquals(4, users.size(), "the three services' users and KEDA's");
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();
            admin.createAcls(acls).all().get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void eachServiceDoesItsWorkAndNothingElse() throws Exception {
        String app = "acl-" + UUID.randomUUID();
        // ingest: its three topics, idempotent, acks=all
        try (KafkaProducer<String, String> ingest = producer("pulse-ingest", Map.of())) {
            for (String topic : List.of(Topics.RAW, Topics.INVALID, Topics.CATALOG_CONTENT)) {
                ingest.send(new ProducerRecord<>(topic, app, "from ingest")).get();
            }
            refused(() -> ingest.send(new ProducerRecord<>(Topics.ENRICHED, app, "forged")).get());
        }
        try (Admin ingestAdmin = Admin.create(client("pulse-ingest", Map.of()))) {
            // its outgoing channel's health check lists the topics it may see
            assertTrue(ingestAdmin.listTopics().names().get().contains(Topics.RAW));
        }
        refused(() -> consume("pulse-ingest", "ingest-reads", Topics.RAW, 1));

        // enrich: events.raw in its group, results and offsets in one transaction under an enrich-* id
        try (KafkaConsumer<String, String> raw = consumer("pulse-enrich", "enrich-service", Map.of());
             KafkaProducer<String, String> tx = producer("pulse-enrich", Map.of("transactional.id", "enrich-" + UUID.randomUUID()))) {
            raw.subscribe(List.of(Topics.RAW));
            List<ConsumerRecord<String, String>> records = poll(raw, 1);
            tx.initTransactions();
            tx.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (ConsumerRecord<String, String> r : records) {
                tx.send(new ProducerRecord<>(Topics.ENRICHED, r.key(), "enriched"));
                tx.send(new ProducerRecord<>(Topics.INVALID, r.key(), "rejected"));
                next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            tx.sendOffsetsToTransaction(next, raw.groupMetadata());
            tx.commitTransaction();
        }
        assertEquals(1, consume("pulse-enrich", "enrich-catalog-" + UUID.randomUUID(), Topics.CATALOG_CONTENT, 1).size(),
                "the whole catalog, in a group of its own per instance");
        try (KafkaProducer<String, String> foreignId = producer("pulse-enrich", Map.of("transactional.id", "ingest-" + UUID.randomUUID()))) {
            refused(foreignId::initTransactions);
        }
        try (KafkaProducer<String, String> enrich = producer("pulse-enrich", Map.of())) {
            refused(() -> enrich.send(new ProducerRecord<>(Topics.CATALOG_CONTENT, app, "forged")).get());
        }
        refused(() -> consume("pulse-enrich", "aggregate-service", Topics.ENRICHED, 1));

        // aggregate: enrich's committed output in its two groups, read_committed
        assertEquals(1, consume("pulse-aggregate", "aggregate-service", Topics.ENRICHED, 1).size());
        assertEquals(2, consume("pulse-aggregate", "aggregate-service-invalid", Topics.INVALID, 2).size(), "ingest's and enrich's rejections");
        try (KafkaProducer<String, String> aggregate = producer("pulse-aggregate", Map.of())) {
            refused(() -> aggregate.send(new ProducerRecord<>(Topics.RAW, app, "forged")).get());
        }
        refused(() -> consume("pulse-aggregate", "enrich-service", Topics.RAW, 1));

        // KEDA: the lag of the groups it scales on (committed and end offsets), and not one record
        try (Admin keda = Admin.create(client("pulse-keda", Map.of()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = keda.listConsumerGroupOffsets("enrich-service").partitionsToOffsetAndMetadata().get();
            assertTrue(committed.keySet().stream().anyMatch(tp -> tp.topic().equals(Topics.RAW)), "enrich's committed offsets: " + committed);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            committed.keySet().forEach(tp -> ends.put(tp, OffsetSpec.latest()));
            assertEquals(committed.keySet(), keda.listOffsets(ends).all().get().keySet());
            assertTrue(keda.listConsumerGroupOffsets("aggregate-service").partitionsToOffsetAndMetadata().get().keySet().stream()
                    .anyMatch(tp -> tp.topic().equals(Topics.ENRICHED)), "aggregate's committed offsets");
            refused(() -> keda.listConsumerGroupOffsets("aggregate-service-invalid").partitionsToOffsetAndMetadata().get());
        }
        refused(() -> consume("pulse-keda", "enrich-service", Topics.RAW, 1));
    }

    @Test
    void aWrongPasswordIsNotLetIn() {
        Map<String, Object> wrong = client("pulse-ingest", Map.of());
        wrong.put("sasl.jaas.config", jaas("pulse-ingest", "not-the-password"));
        wrong.put("max.block.ms", 20_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(wrong, new StringSerializer(), new StringSerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(new ProducerRecord<>(Topics.RAW, "k", "v")).get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
        }
    }

    private interface KafkaWork {
        void run() throws Exception;
    }

    /** The work fails with an authorization error (directly or as the cause of a failed send). */
    private static void refused(KafkaWork work) {
        Exception e = assertThrows(Exception.class, work::run);
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        assertInstanceOf(AuthorizationException.class, cause, e.toString());
    }

    private static List<ConsumerRecord<String, String>> consume(String user, String group, String topic, int count) {
        try (KafkaConsumer<String, String> consumer = consumer(user, group, Map.of())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = poll(consumer, count);
            consumer.commitSync();
            return records;
        }
    }

    private static List<ConsumerRecord<String, String>> poll(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records.size() >= count;
        });
        return records;
    }

    private static KafkaConsumer<String, String> consumer(String user, String group, Map<String, Object> settings) {
        Map<String, Object> config = client(user, settings);
        config.putAll(Map.of("group.id", group, "auto.offset.reset", "earliest", "enable.auto.commit", false,
                "isolation.level", "read_committed"));
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static KafkaProducer<String, String> producer(String user, Map<String, Object> settings) {
        Map<String, Object> config = client(user, settings);
        config.putAll(Map.of("acks", "all", "enable.idempotence", true, "max.block.ms", 20_000, "delivery.timeout.ms", 20_000,
                "request.timeout.ms", 10_000));
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** As the services configure the prod profile, over SASL_PLAINTEXT instead of SASL_SSL. */
    private static Map<String, Object> client(String user, Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put("bootstrap.servers", sasl);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", jaas(user, PASSWORDS.get(user)));
        return config;
    }

    /** The form of Strimzi's sasl.jaas.config */
    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** Strimzi's spelling (transactionalId, IdempotentWrite) of a Kafka enum constant. */
    private static <E extends Enum<E>> E byName(E[] values, String strimzi) {
        String wanted = strimzi.replace("_", "").toLowerCase(Locale.ROOT);
        return Arrays.stream(values).filter(v -> v.name().replace("_", "").toLowerCase(Locale.ROOT).equals(wanted)).findFirst()
                .orElseThrow(() -> new AssertionError("no Kafka name for " + strimzi));
    }
}
