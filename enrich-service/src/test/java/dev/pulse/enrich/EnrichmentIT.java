package dev.pulse.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.Topics;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class EnrichmentIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CHROME_ANDROID = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    private static TopicReader enriched;
    private final MeterRegistry registry;
    private static TopicReader invalid;

    EnrichmentIT(MeterRegistry registry) {
        this.registry = registry;
    }

    @BeforeAll
    static void open() {
        enriched = new TopicReader(infra().bootstrapServers(), Topics.ENRICHED);
        invalid = new TopicReader(infra().bootstrapServers(), Topics.INVALID);
    }

    @AfterAll
    static void close() {
        enriched.close();
        invalid.close();
    }

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    private static String app(String timezone) {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, timezone);
        return app;
    }

    private static String raw(String app, String eventJson) {
        return "{\"app_id\":\"" + app + "\",\"received_at\":\"" + Instant.now() + "\",\"clock_clamped\":false,\"event\":" + eventJson + "}";
    }

    private static void send(String app, String userId, String... events) {
        String[] raws = new String[events.length];
        for (int i = 0; i < events.length; i++) {
            raws[i] = raw(app, events[i]);
        }
        TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, userId), raws);
    }

    private static List<JsonNode> enrichedOf(String app, int expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> of(enriched.poll(), app).size() >= expected);
        return of(enriched.poll(), app);
    }

    private static List<JsonNode> of(List<ConsumerRecord<String, String>> records, String app) {
        List<JsonNode> nodes = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                JsonNode node = MAPPER.readTree(record.value());
                if (app.equals(node.path("app_id").asText())) {
                    nodes.add(node);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return nodes;
    }

    @Test
    void enrichesCategoryLocalDateAndUserAgent() {
        String app = app("Asia/Tokyo");
        UUID id = UUID.randomUUID();
        // 20:30 UTC is already the next day in Tokyo
        send(app, "u1", "{\"event\":\"feed.view\",\"user_id\":\"u1\",\"event_id\":\"" + id + "\",\"timestamp\":\"2026-03-01T20:30:00Z\","
                + "\"properties\":{\"post_id\":5},\"context\":{\"user_agent\":\"" + CHROME_ANDROID + "\"}}");
        JsonNode event = enrichedOf(app, 1).get(0);
        assertEquals(id.toString(), event.get("event_id").asText());
        assertEquals("engagement", event.get("category").asText());
        assertEquals("2026-03-02", event.get("event_date").asText());
        assertEquals(5, event.get("post_id").asLong());
        assertEquals("mobile", event.get("device").asText());
        assertEquals("Android", event.get("os").asText());
        assertEquals("Chrome", event.get("browser").asText());
        assertTrue(event.get("late").asBoolean(), "an event of a past day is late");
    }

    @Test
    void invalidRecordsLandInEventsInvalidWithReason() {
        String app = app("UTC");
        TestData.send(infra().bootstrapServers(), Topics.RAW, Topics.userKey(app, "u"),
                "{not json at all " + app, raw(app, "{\"event\":\"feed.like\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID()
                        + "\",\"timestamp\":\"2026-03-01T00:00:00Z\"}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> invalid.poll().stream().filter(r -> r.value().contains(app)).count() >= 2);
        List<JsonNode> rejected = new ArrayList<>();
        for (ConsumerRecord<String, String> r : invalid.poll()) {
            if (r.value().contains(app)) {
                try {
                    rejected.add(MAPPER.readTree(r.value()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        assertTrue(rejected.stream().anyMatch(r -> r.get("reason").asText().equals("payload")
                && r.get("payload").asText().startsWith("{not json") && r.get("source_topic").asText().equals(Topics.RAW)));
        assertTrue(rejected.stream().anyMatch(r -> r.get("reason").asText().equals("properties.post_id")
                && app.equals(r.get("app_id").asText()) && r.has("source_offset")));
    }

    @Test
    void resentEventsLeaveOnce() {
        String app = app("UTC");
        String event = "{\"event\":\"signup\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:00Z\"}";
        send(app, "u", event, event);
        send(app, "u", event, "{\"event\":\"referral\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:01Z\"}");
        List<JsonNode> out = enrichedOf(app, 2);
        // the marker event proves the resends were processed before we count
        assertEquals(2, out.size());
        assertEquals(1, out.stream().filter(e -> e.get("event").asText().equals("signup")).count());
        // counted by aggregate from the resends reported in the batch's transaction, never by enrich itself
        await().atMost(Duration.ofSeconds(30)).until(() -> of(invalid.poll(), app).stream()
                .filter(r -> r.get("reason").asText().equals("duplicate")).count() == 2);
        assertEquals(0L, queryLong("SELECT count(*) FROM quality_daily WHERE app_id = '" + app + "'"));
    }

    @Test
    void aBatchWhoseDatabaseWorkFailsIsReadAgainAndLeavesOnce() throws SQLException {
        String app = app("UTC");
        Counter failedBatches = registry.counter("pulse.enrich.batches.failed");
        double failedBefore = failedBatches.count();
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement()) {
            // the dedup table away: every batch fails in the database until it is back
            s.execute("ALTER TABLE enrich_dedup RENAME TO enrich_dedup_away");
            try {
                send(app, "u", "{\"event\":\"signup\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:00Z\"}",
                        "{\"event\":\"referral\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:01Z\"}");
                await().atMost(Duration.ofSeconds(30)).until(() -> failedBatches.count() > failedBefore);
            } finally {
                s.execute("ALTER TABLE enrich_dedup_away RENAME TO enrich_dedup");
            }
        }
        List<JsonNode> out = enrichedOf(app, 2);
        assertEquals(2, out.size());
        assertEquals(2, out.stream().map(e -> e.get("event_id").asText()).distinct().count());
    }

    @Test
    void traitsCarryForwardAndKeepHistory() {
        String app = app("UTC");
        send(app, "u",
                "{\"event\":\"signup\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:00Z\",\"user\":{\"country\":\"DE\",\"age\":30}}",
                "{\"event\":\"referral\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T01:00:00Z\"}",
                "{\"event\":\"referral\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T02:00:00Z\",\"user\":{\"country\":\"FR\"}}");
        List<JsonNode> out = enrichedOf(app, 3);
        assertEquals("DE", out.get(1).get("user").get("country").asText(), "an event without traits gets the latest ones");
        assertEquals("FR", out.get(2).get("user").get("country").asText());
        assertEquals(30, out.get(2).get("user").get("age").asInt(), "traits an event leaves out keep their value");
        assertEquals(2L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "'"));
        assertEquals(1L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND is_current AND country = 'FR' AND valid_to IS NULL"));
        assertEquals(1L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND NOT is_current AND country = 'DE' "
                + "AND valid_to = timestamptz '2026-03-01T02:00:00Z'"));
    }

    @Test
    void anErasureDeletesTheUsersTraitHistoryOnce() throws Exception {
        String app = app("UTC");
        for (String user : List.of("erased", "kept")) {
            send(app, user,
                    "{\"event\":\"signup\",\"user_id\":\"" + user + "\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T00:00:00Z\",\"user\":{\"country\":\"DE\"}}",
                    "{\"event\":\"referral\",\"user_id\":\"" + user + "\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"2026-03-01T02:00:00Z\",\"user\":{\"country\":\"FR\"}}");
        }
        enrichedOf(app, 4);
        assertEquals(4L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "'"));
        ErasureCommand command = new ErasureCommand(UUID.randomUUID(), app, "erased", Instant.now());
        String value = new ObjectMapper().registerModule(new JavaTimeModule()).writeValueAsString(command);
        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, "erased"), value);
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM enrich_erasures WHERE erasure_id = '" + command.erasureId() + "'") == 1);
        assertEquals(0L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND user_id = 'erased'"));
        assertEquals(2L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND user_id = 'kept'"));
        assertEquals(2L, queryLong("SELECT (deleted_rows->>'dim_users')::bigint FROM enrich_erasures WHERE erasure_id = '" + command.erasureId() + "'"));

        // a redelivered command finds its completion row and changes nothing; the marker behind it shows it was read
        send(app, "erased", "{\"event\":\"referral\",\"user_id\":\"erased\",\"event_id\":\"" + UUID.randomUUID()
                + "\",\"timestamp\":\"2026-03-02T00:00:00Z\",\"user\":{\"country\":\"IT\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND user_id = 'erased'") == 1);
        ErasureCommand marker = new ErasureCommand(UUID.randomUUID(), app, "nobody", Instant.now());
        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, "erased"), value,
                new ObjectMapper().registerModule(new JavaTimeModule()).writeValueAsString(marker));
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM enrich_erasures WHERE erasure_id = '" + marker.erasureId() + "'") == 1);
        assertEquals(1L, queryLong("SELECT count(*) FROM dim_users WHERE app_id = '" + app + "' AND user_id = 'erased'"),
                "traits the user sent after the erasure are kept like anyone's");
        assertEquals(2L, queryLong("SELECT (deleted_rows->>'dim_users')::bigint FROM enrich_erasures WHERE erasure_id = '" + command.erasureId() + "'"));
    }

    @Test
    void catalogUpdatesApplyToLaterEvents() {
        String app = app("UTC");
        TestData.send(infra().bootstrapServers(), Topics.CATALOG_CONTENT, Topics.contentKey(app, "c1"),
                "{\"app_id\":\"" + app + "\",\"content_id\":\"c1\",\"title\":\"Intro\",\"content_type\":\"video\",\"length_seconds\":200}");
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM dim_content WHERE app_id = '" + app + "'") == 1);
        send(app, "u", "{\"event\":\"content.engagement\",\"user_id\":\"u\",\"event_id\":\"" + UUID.randomUUID()
                + "\",\"timestamp\":\"2026-03-01T00:00:00Z\",\"properties\":{\"content_id\":\"c1\",\"action\":\"play\",\"duration_ms\":50000}}");
        JsonNode event = enrichedOf(app, 1).get(0);
        assertEquals("Intro", event.get("content_title").asText());
        assertEquals("video", event.get("content_type").asText());
        assertEquals(50.0, event.get("engagement_seconds").asDouble());
        assertEquals(0.25, event.get("engagement_pct").asDouble());
        assertFalse(event.has("revenue"));
    }

    private static long queryLong(String sql) {
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
