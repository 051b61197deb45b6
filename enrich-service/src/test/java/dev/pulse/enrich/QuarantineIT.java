package dev.pulse.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.consumer.PartitionsReadinessCheck;
import dev.pulse.contract.StorableText;
import dev.pulse.contract.Topics;
import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.EnrichedBatch;
import dev.pulse.enrich.domain.SourcePosition;
import dev.pulse.enrich.service.EnrichmentService;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.contract.testing.TopicReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No record stalls enrich, whatever it fails on; a sink that is down quarantines nothing. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class QuarantineIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TopicReader raw;
    private static TopicReader enriched;
    private static TopicReader invalid;
    private final MeterRegistry registry;

    private final EnrichmentService enrichment;

    QuarantineIT(MeterRegistry registry, EnrichmentService enrichment) {
        this.registry = registry;
        this.enrichment = enrichment;
    }

    private Counter quarantined(String topic) {
        return registry.counter("pulse.enrich.records.quarantined", "topic", topic, "reason", "unprocessable");
    }

    @BeforeAll
    static void open() {
        raw = new TopicReader(infra().bootstrapServers(), Topics.RAW);
        enriched = new TopicReader(infra().bootstrapServers(), Topics.ENRICHED);
        invalid = new TopicReader(infra().bootstrapServers(), Topics.INVALID);
    }

    @AfterAll
    static void close() {
        raw.close();
        enriched.close();
        invalid.close();
    }

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    private static String newApp() {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        return app;
    }

    /** A raw record as ingest writes it; {@code traits} null or a JSON object. */
    private static String event(String app, String user, UUID id, String traits) {
        String timestamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return "{\"app_id\":\"" + app + "\",\"received_at\":\"" + Instant.now() + "\",\"clock_clamped\":false,\"event\":"
                + "{\"event\":\"signup\",\"user_id\":\"" + user + "\",\"event_id\":\"" + id + "\",\"timestamp\":\"" + timestamp + "\""
                + (traits == null ? "" : ",\"user\":" + traits) + "}}";
    }

    private static List<JsonNode> of(List<ConsumerRecord<String, String>> records, String app) {
        List<JsonNode> nodes = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            JsonNode node = json(record.value());
            if (app.equals(node.path("app_id").asText())) {
                nodes.add(node);
            }
        }
        return nodes;
    }

    private static JsonNode json(String value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> invalidOf(String app, String reason) {
        return of(invalid.poll(), app).stream().filter(n -> reason.equals(n.path("reason").asText())).toList();
    }

    private static long queryLong(String query) {
        return TestData.queryLong(infra().dataSource(), query);
    }

    private static long offsetOf(String marker) {
        await().atMost(Duration.ofSeconds(30)).until(() -> raw.poll().stream().anyMatch(r -> r.value().contains(marker)));
        return raw.poll().stream().filter(r -> r.value().contains(marker)).findFirst().orElseThrow().offset();
    }

    @Test
    void aRecordTheSinkRefusesIsQuarantinedOnceAndItsBatchGoesThrough() throws Exception {
        String other = newApp();
        String hostile = newApp();
        String poisonUser = "poison-" + UUID.randomUUID();
        double quarantinedBefore = quarantined(Topics.RAW).count();
        List<UUID> ids = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            values.add(event(other, "u" + i, id, "{\"country\":\"DE\"}"));
            if (i == 4) {
                values.add(event(hostile, poisonUser, UUID.randomUUID(), "{\"country\":\"FR\"}"));
            }
        }
        try (AutoCloseable refused = TestData.refusePoisonIn(infra().dataSource(), "dim_users", "user_id")) {
            // one key: one partition, read as one batch with the poison in its middle
            TestData.send(infra().bootstrapServers(), Topics.RAW, "one-partition", values.toArray(String[]::new));
            await().atMost(Duration.ofSeconds(60)).until(() -> of(enriched.poll(), other).size() >= 10 && invalidOf(hostile, "unprocessable").size() == 1);
        }
        UUID marker = UUID.randomUUID();
        TestData.send(infra().bootstrapServers(), Topics.RAW, "one-partition", event(other, "u-marker", marker, null));
        await().atMost(Duration.ofSeconds(30)).until(() -> of(enriched.poll(), other).size() >= 11);

        List<String> out = of(enriched.poll(), other).stream().map(n -> n.get("event_id").asText()).sorted().toList();
        List<String> expected = new ArrayList<>(ids.stream().map(UUID::toString).toList());
        expected.add(marker.toString());
        assertEquals(expected.stream().sorted().toList(), out, "every other event, once");
        List<JsonNode> quarantined = invalidOf(hostile, "unprocessable");
        assertEquals(1, quarantined.size());
        JsonNode poison = quarantined.getFirst();
        assertEquals(Topics.RAW, poison.get("source_topic").asText());
        assertEquals(offsetOf(poisonUser), poison.get("source_offset").asLong());
        assertTrue(poison.get("payload").asText().contains(poisonUser));
        assertTrue(poison.get("error").asText().contains("refused by a test trigger"), poison.get("error").asText());
        assertEquals(quarantinedBefore + 1, quarantined(Topics.RAW).count());
        assertEquals(0L, queryLong("SELECT count(*) FROM dim_users WHERE user_id = '" + poisonUser + "'"));
    }

    @Test
    void aResendInABatchThatFailedSeveralTimesCountsOnce() throws Exception {
        String app = newApp();
        UUID resent = UUID.randomUUID();
        String original = event(app, "u", resent, null);
        TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, "u"), original);
        await().atMost(Duration.ofSeconds(30)).until(() -> of(enriched.poll(), app).size() == 1);

        try (AutoCloseable refused = TestData.refusePoisonIn(infra().dataSource(), "dim_users", "user_id")) {
            // the batch fails whole, then in halves, before the poison is alone: the resend is dropped each time
            TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, "u"),
                    original, event(app, "poison-" + app, UUID.randomUUID(), "{\"age\":30}"), event(app, "u", UUID.randomUUID(), null));
            await().atMost(Duration.ofSeconds(60)).until(() -> of(enriched.poll(), app).size() >= 2 && invalidOf(app, "unprocessable").size() == 1);
        }
        List<JsonNode> duplicates = invalidOf(app, "duplicate");
        assertEquals(1, duplicates.size(), "counted in the one transaction that committed");
        assertEquals(resent.toString(), json(duplicates.getFirst().get("payload").asText()).path("event").path("event_id").asText());
        assertEquals(Instant.now().atZone(java.time.ZoneOffset.UTC).toLocalDate().toString(), duplicates.getFirst().get("event_date").asText());
        assertEquals(2, of(enriched.poll(), app).size());
    }

    @Test
    void aCorrectedResendOfAQuarantinedEventIsNotADuplicate() throws Exception {
        String app = newApp();
        String user = "poison-" + UUID.randomUUID();
        UUID id = UUID.randomUUID();
        String value = event(app, user, id, "{\"age\":30}");
        try (AutoCloseable refused = TestData.refusePoisonIn(infra().dataSource(), "dim_users", "user_id")) {
            // refused after its dedup row was written: the dedup runs before the traits
            TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, user), value);
            await().atMost(Duration.ofSeconds(60)).until(() -> invalidOf(app, "unprocessable").size() == 1);
        }
        assertEquals(0L, queryLong("SELECT count(*) FROM enrich_dedup WHERE event_id = '" + id + "'"), "the quarantined record is not remembered");
        // the cause fixed, the client sends the same event again
        TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, user), value);
        await().atMost(Duration.ofSeconds(30)).until(() -> of(enriched.poll(), app).size() == 1);
        assertEquals(id.toString(), of(enriched.poll(), app).getFirst().get("event_id").asText());
        assertEquals(List.of(), invalidOf(app, "duplicate"));
    }

    /** Written straight to events.raw, past ingest: rejected with a rejection aggregate can store, nothing bisected. */
    @Test
    void rawRecordsWithNulAreRejectedStorably() {
        String app = newApp();
        double quarantinedBefore = quarantined(Topics.RAW).count();
        UUID before = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        String notJson = "not json \u0000 " + UUID.randomUUID();
        String nulApp = event(app + "\\u0000", "u", UUID.randomUUID(), null);
        TestData.send(infra().bootstrapServers(), Topics.RAW, app, event(app, "u", before, null), notJson, nulApp, event(app, "u", after, null));
        await().atMost(Duration.ofSeconds(60)).until(() -> of(enriched.poll(), app).size() == 2);

        assertEquals(List.of(before.toString(), after.toString()), of(enriched.poll(), app).stream().map(n -> n.get("event_id").asText()).toList());
        List<JsonNode> rejections = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            rejections.clear();
            invalid.poll().stream().map(r -> json(r.value())).filter(n -> n.path("payload").asText().contains(app)
                    || n.path("payload").asText().contains(notJson.substring(15))).forEach(rejections::add);
            return rejections.size() == 2;
        });
        assertEquals(List.of("app_id", "payload"), rejections.stream().map(n -> n.get("reason").asText()).sorted().toList());
        for (JsonNode rejection : rejections) {
            for (String field : List.of("app_id", "error", "payload")) {
                assertEquals(null, StorableText.problem(rejection.path(field).asText()), field + " of " + rejection);
            }
        }
        assertEquals(quarantinedBefore, quarantined(Topics.RAW).count(), "no bisection");
    }

    /** The loop reads a batch again when its Kafka transaction fails after the traits were written. */
    @Test
    void aReplayedBatchAddsNoTraitVersionAndAttachesTheSameTraits() {
        String app = newApp();
        String user = "u-" + UUID.randomUUID();
        // positions on a partition no test record uses: the loop itself never reads them
        List<EnrichmentService.Input> batch = List.of(
                new EnrichmentService.Input(event(app, user, UUID.randomUUID(), "{\"country\":\"DE\"}"), new SourcePosition(Topics.RAW, 999, 10)),
                new EnrichmentService.Input(event(app, user, UUID.randomUUID(), "{\"country\":\"FR\"}"), new SourcePosition(Topics.RAW, 999, 11)),
                new EnrichmentService.Input(event(app, user, UUID.randomUUID(), "{\"age\":40}"), new SourcePosition(Topics.RAW, 999, 12)));
        List<UserTraits> first = traits(enrichment.process(batch).await().atMost(Duration.ofSeconds(30)));
        String versions = "SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND user_id = '" + user + "'";
        assertEquals(3L, queryLong(versions));

        assertEquals(first, traits(enrichment.process(batch).await().atMost(Duration.ofSeconds(30))), "the whole batch again");
        assertEquals(first.subList(1, 3), traits(enrichment.process(batch.subList(1, 3)).await().atMost(Duration.ofSeconds(30))),
                "its second half again, as a bisection does once the first half committed");
        assertEquals(3L, queryLong(versions));
        assertEquals(1L, queryLong(versions + " AND is_current AND country = 'FR' AND age = 40 AND version = 3"));
    }

    private static List<UserTraits> traits(EnrichedBatch batch) {
        assertEquals(List.of(), batch.duplicates());
        return batch.enriched().stream().map(e -> e.user()).toList();
    }

    @Test
    void aCatalogRecordTheSinkRefusesDoesNotStallTheCatalog() throws Exception {
        String app = newApp();
        double quarantinedBefore = quarantined(Topics.CATALOG_CONTENT).count();
        try (AutoCloseable refused = TestData.refusePoisonIn(infra().dataSource(), "dim_content", "content_id")) {
            // one key: the good record waits behind the poison on the same partition
            TestData.send(infra().bootstrapServers(), Topics.CATALOG_CONTENT, Topics.contentKey(app, "poison"),
                    "{\"app_id\":\"" + app + "\",\"content_id\":\"poison-1\",\"title\":\"x\",\"content_type\":\"video\"}",
                    "{\"app_id\":\"" + app + "\",\"content_id\":\"c-good\",\"title\":\"Intro\",\"content_type\":\"video\"}");
            await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM dim_content WHERE app_id = '" + app + "'") == 1
                    && invalidOf(app, "unprocessable").size() == 1);
        }
        JsonNode poison = invalidOf(app, "unprocessable").getFirst();
        assertEquals(Topics.CATALOG_CONTENT, poison.get("source_topic").asText());
        assertTrue(poison.get("payload").asText().contains("poison-1"));
        assertEquals(1L, queryLong("SELECT count(*) FROM dim_content WHERE app_id = '" + app + "' AND content_id = 'c-good'"));
        assertEquals(quarantinedBefore + 1, quarantined(Topics.CATALOG_CONTENT).count());
    }

    @Test
    void postgresGoneForThirtySecondsQuarantinesNothingLosesNothingAndShowsInReadiness() throws InterruptedException {
        String app = newApp();
        double quarantinedBefore = quarantined(Topics.RAW).count();
        List<String> sent = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            UUID id = UUID.randomUUID();
            sent.add(id.toString());
            values.add(event(app, "u" + i, id, i % 3 == 0 ? "{\"city\":\"Berlin\"}" : null));
        }
        given().get("/q/health/ready").then().statusCode(200);

        infra().withPostgresDown(Duration.ofSeconds(30), () -> {
            TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, "u"), values.toArray(String[]::new));
            await().atMost(Duration.ofSeconds(25)).until(() -> "DOWN".equals(given().get("/q/health/ready").then().extract()
                    .path("checks.find { it.name == '" + PartitionsReadinessCheck.NAME + "' }.status")));
            assertEquals(0, of(enriched.poll(), app).size(), "nothing gets through without PostgreSQL");
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> of(enriched.poll(), app).size() >= 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").then().extract().statusCode() == 200);

        assertEquals(sent.stream().sorted().toList(), of(enriched.poll(), app).stream().map(n -> n.get("event_id").asText()).sorted().toList(),
                "every event, once");
        assertEquals(List.of(), invalidOf(app, "unprocessable"));
        assertEquals(quarantinedBefore, quarantined(Topics.RAW).count());
        given().get("/q/health/live").then().statusCode(200);
    }
}
