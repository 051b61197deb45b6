package dev.pulse.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.aggregate.service.RealtimeService;
import dev.pulse.consumer.PartitionsReadinessCheck;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No record stalls aggregate, whatever it fails on; PostgreSQL down quarantines nothing; real-time rebuilds are safe. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class ConsumerSafetyIT {
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final MeterRegistry registry;
    private final RealtimeService realtime;
    private final RedisDataSource redis;
    private final InvalidEventRepository invalidEvents;

    ConsumerSafetyIT(MeterRegistry registry, RealtimeService realtime, RedisDataSource redis, InvalidEventRepository invalidEvents) {
        this.registry = registry;
        this.realtime = realtime;
        this.redis = redis;
        this.invalidEvents = invalidEvents;
    }

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    private static String newApp() {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        return app;
    }

    private static EnrichedEvent event(String app, String user, Instant ts) {
        return new EnrichedEvent(app, UUID.randomUUID(), "signup", "acquisition", user, ts, ts.atZone(ZoneOffset.UTC).toLocalDate(), ts,
                false, false, null, null, null, null, null, null, null, null, null, null, "mobile", null, null, null, null,
                null, null, null, null, null, null);
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long queryLong(String query) {
        return TestData.queryLong(infra().dataSource(), query);
    }

    private double quarantined(String topic, String reason) {
        return registry.counter("pulse.aggregate.records.quarantined", "topic", topic, "reason", reason).count();
    }

    private static long stored(String app) {
        return queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'");
    }

    private static long accepted(String app) {
        return queryLong("SELECT coalesce(sum(accepted), 0) FROM quality_daily WHERE app_id = '" + app + "'");
    }

    @Test
    void aRecordTheRawStoreRefusesIsQuarantinedOnceAndTheRestIsCountedOnce() throws Exception {
        String other = newApp();
        String hostile = newApp();
        double before = quarantined(Topics.ENRICHED, "unprocessable");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(json(event(other, "u" + i, now.minusSeconds(i))));
            if (i == 4) {
                values.add(json(event(hostile, "poison-" + hostile, now)));
            }
        }
        try (AutoCloseable refused = TestData.refusePoisonIn(infra().dataSource(), "events", "user_id")) {
            // one key: one partition, one batch with the poison in its middle
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, "one-partition", values.toArray(String[]::new));
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(other) == 10
                    && queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + hostile + "'") == 1);
        }
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, "one-partition", json(event(other, "u-marker", now)));
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(other) == 11);

        assertEquals(11, accepted(other), "every other event counted once");
        assertEquals(0, stored(hostile));
        assertEquals(1L, queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + hostile + "' AND reason = 'unprocessable' "
                + "AND origin_topic = 'events.enriched' AND error LIKE '%refused by a test trigger%' AND payload LIKE '%poison-%'"));
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertEquals(1L, queryLong("SELECT (rejected_by_reason->>'unprocessable')::bigint FROM day_quality('" + hostile + "', '" + today + "', 'UTC')"),
                "counted in /v1/quality");
        assertEquals(before + 1, quarantined(Topics.ENRICHED, "unprocessable"));
    }

    @Test
    void replayedInvalidRecordsAndResendsCountOnce() {
        String app = newApp();
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        Instant now = Instant.now();
        InvalidEvent resend = new InvalidEvent(app, InvalidEvent.DUPLICATE, "seen", "{}", Topics.RAW, 1, 77, now, day);
        InvalidEvent otherResend = new InvalidEvent(app, InvalidEvent.DUPLICATE, "seen", "{}", Topics.RAW, 1, 78, now, day);
        InvalidEvent quarantinedTwice = new InvalidEvent(app, "unprocessable", "boom", "{}", Topics.ENRICHED, 2, TestData.newOffset(), now);
        // a loop replayed before it committed publishes the same records again
        TestData.send(infra().bootstrapServers(), Topics.INVALID, app, json(resend), json(quarantinedTwice), json(resend),
                json(otherResend), json(quarantinedTwice));

        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM duplicate_events WHERE app_id = '" + app + "'") == 2
                && queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 1);
        TestData.send(infra().bootstrapServers(), Topics.INVALID, app, json(new InvalidEvent(app, "missing_field", "x", "{}", "http", -1, -1L, now)));
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 2);

        assertEquals(2L, queryLong("SELECT duplicates FROM quality_daily WHERE app_id = '" + app + "' AND event_date = '" + day + "'"));
        assertEquals(2L, queryLong("SELECT duplicates FROM day_quality('" + app + "', '" + day + "', 'UTC')"));
        assertEquals(2L, queryLong("SELECT rejected FROM day_quality('" + app + "', '" + day + "', 'UTC')"), "resends are not rejections");

        // the ledger forgets what it counted long ago; the counts stay
        assertTrue(invalidEvents.forgetResendsCountedBefore(Instant.now().plusSeconds(1)).await().atMost(Duration.ofSeconds(30)) >= 2);
        assertEquals(0L, queryLong("SELECT count(*) FROM duplicate_events WHERE app_id = '" + app + "'"));
        assertEquals(2L, queryLong("SELECT duplicates FROM quality_daily WHERE app_id = '" + app + "' AND event_date = '" + day + "'"));
    }

    @Test
    void anInvalidRecordThatCannotBeStoredIsSkippedAndTheRestStored() {
        String app = newApp();
        double before = quarantined(Topics.INVALID, "unstorable");
        Instant now = Instant.now();
        // PostgreSQL text cannot hold NUL
        String poison = json(new InvalidEvent(app + "\u0000", "missing_field", "x", "{}", "http", -1, -1L, now));
        TestData.send(infra().bootstrapServers(), Topics.INVALID, app,
                json(new InvalidEvent(app, "missing_field", "first", "{}", "http", -1, -1L, now)), poison,
                json(new InvalidEvent(app, "missing_field", "last", "{}", "http", -1, -1L, now)));

        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 2);
        assertEquals(before + 1, quarantined(Topics.INVALID, "unstorable"));
    }

    private Map<Long, Long> redisMinutes(String app, Instant now) {
        Map<Long, Long> counts = new TreeMap<>();
        for (long minute = now.getEpochSecond() / 60 - 10; minute <= now.getEpochSecond() / 60; minute++) {
            Long n = redis.value(Long.class).get(RedisKeys.events(app, minute));
            if (n != null) {
                counts.put(minute, n);
            }
        }
        return counts;
    }

    private static Map<Long, Long> storedMinutes(String app) {
        Map<Long, Long> counts = new TreeMap<>();
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT floor(extract(epoch FROM event_ts) / 60)::bigint, count(*) FROM events WHERE app_id = '"
                     + app + "' GROUP BY 1")) {
            while (rs.next()) {
                counts.put(rs.getLong(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    @Test
    void aRebuildRunsOnceAtATimeAndNeverCountsAgainstLiveBatchesTwice() throws SQLException {
        String app = newApp();
        Instant now = Instant.now();
        // another replica's rebuild holds the lock: this one skips
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT pg_advisory_xact_lock(hashtextextended('pulse-realtime-rebuild', 0))");
            assertEquals(-1L, realtime.rebuild().await().atMost(Duration.ofSeconds(30)));
            c.rollback();
        }
        // live batches while rebuilds run, two at a time
        List<Uni<Long>> rebuilds = new ArrayList<>();
        for (int batch = 0; batch < 8; batch++) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                values.add(json(event(app, "u" + (i % 7), now.minusSeconds(batch * 40L + i))));
            }
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "b" + batch), values.toArray(String[]::new));
            if (batch % 2 == 0) {
                List<Long> written = Uni.join().all(realtime.rebuild(), realtime.rebuild()).andFailFast().await().atMost(Duration.ofSeconds(60));
                assertTrue(written.stream().anyMatch(n -> n >= 0), "one of two rebuilds runs: " + written);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> stored(app) == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> redisMinutes(app, now).equals(storedMinutes(app)));
        assertEquals(200L, redisMinutes(app, now).values().stream().collect(Collectors.summingLong(n -> n)));
        // and a rebuild alone gives the same views
        assertTrue(realtime.rebuild().await().atMost(Duration.ofSeconds(60)) >= 200);
        assertEquals(storedMinutes(app), redisMinutes(app, now));
    }

    @Test
    void postgresGoneForThirtySecondsQuarantinesNothingLosesNothingAndShowsInReadiness() throws InterruptedException {
        String app = newApp();
        double before = quarantined(Topics.ENRICHED, "unprocessable");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            values.add(json(event(app, "u" + i % 4, now.minusSeconds(i))));
        }
        given().get("/q/health/ready").then().statusCode(200);

        infra().withPostgresDown(Duration.ofSeconds(30), () -> {
            TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, "u"), values.toArray(String[]::new));
            await().atMost(Duration.ofSeconds(25)).until(() -> "DOWN".equals(given().get("/q/health/ready").then().extract()
                    .path("checks.find { it.name == '" + PartitionsReadinessCheck.NAME + "' }.status")));
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> stored(app) == 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").then().extract().statusCode() == 200);

        assertEquals(30, accepted(app));
        assertEquals(0L, queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'"));
        assertEquals(before, quarantined(Topics.ENRICHED, "unprocessable"));
    }
}
