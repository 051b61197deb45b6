package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficGenerator;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.deploy.faults.DailyMetricsCheck;
import dev.pulse.deploy.local.Stack;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.testing.RawStoreAnswer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton, end to end: the four packaged services on a real Kafka, PostgreSQL and Redis, driven
 * over HTTP only, nothing mocked.
 */
class PipelineIT {
    private static final String ADMIN = "pipeline-admin-token";
    private static final PulseClient HTTP = new PulseClient();
    private static Stack.Options options;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("pulse-pipeline-it");
        options = new Stack.Options(data, Path.of("..").toAbsolutePath().normalize(), new int[7], null, null, null, ADMIN, 3);
        stack = Stack.start(options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    private static String url(String service, String path) {
        return stack.service(service).url() + path;
    }

    private static JsonNode createApp(String timezone) {
        String app = "it-" + UUID.randomUUID().toString().substring(0, 8);
        PulseClient.Reply created = HTTP.post(url("ingest-service", "/v1/admin/apps"), ADMIN,
                "{\"app\":\"" + app + "\",\"timezone\":\"" + timezone + "\"}");
        assertEquals(201, created.status(), String.valueOf(created.body()));
        return created.body();
    }

    private static String event(String user, String timestamp) {
        return "{\"event\":\"signup\",\"user_id\":\"" + user + "\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"" + timestamp + "\"}";
    }

    @Test
    void dailyActiveUsersFromHttpEventsToTheDashboardQuery() {
        JsonNode app = createApp("Europe/Berlin");
        String writeKey = app.get("write_key").asText();
        LocalDate today = LocalDate.now(ZoneId.of("Europe/Berlin"));
        LocalDate yesterday = today.minusDays(1);
        List<String> events = new ArrayList<>();
        for (int u = 1; u <= 5; u++) {
            events.add(event("u" + u, yesterday + "T10:00:00+01:00"));
        }
        for (int u = 1; u <= 3; u++) {
            events.add(event("u" + u, today + "T00:30:00+01:00"));
        }
        String batch = "[" + String.join(",", events) + "]";
        PulseClient.Reply accepted = HTTP.post(url("ingest-service", "/v1/events"), writeKey, batch);
        assertEquals(202, accepted.status(), String.valueOf(accepted.body()));
        // a client retry of the same batch, and an invalid event: neither may change DAU
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey, batch).status());
        assertEquals(400, HTTP.post(url("ingest-service", "/v1/events"), writeKey, "{\"event\":\"feed.view\",\"user_id\":\"u9\"}").status());

        String query = "{\"app\":\"" + app.get("app").asText() + "\",\"metrics\":[\"active_users\",\"events\"],"
                + "\"date_range\":[\"" + yesterday + "\",\"" + today + "\"],\"dimensions\":[\"time:day\"]}";
        String readToken = app.get("read_token").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode results = HTTP.post(url("query-api", "/v1/query"), readToken, query).body().get("results");
            assertEquals(yesterday.toString(), results.get(0).get("dimensions").get(0).asText());
            assertEquals(5, results.get(0).get("metrics").get(0).asInt(), "DAU yesterday");
            assertEquals(5, results.get(0).get("metrics").get(1).asInt(), "events yesterday, resend counted once");
            assertEquals(3, results.get(1).get("metrics").get(0).asInt(), "DAU today");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(1, HTTP.get(url("query-api",
                "/v1/quality?app=" + app.get("app").asText()), readToken).body().get("rejected").asInt(), "the invalid event is counted"));
    }

    @Test
    void noEventLostOrDoubleCountedWhenEnrichAndAggregateAreKilled() throws Exception {
        JsonNode app = createApp("UTC");
        GeneratorConfig config = new GeneratorConfig(7, 200, 150, 4_500, 50, 0.05, 0.01, 0.02, 0.1);
        TrafficGenerator generator = new TrafficGenerator(new IngestClient(stack.service("ingest-service").url(), app.get("write_key").asText()), config);
        Thread traffic = new Thread(generator, "pipeline-traffic");
        traffic.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> generator.sent() > 1_000);
        stack.service("enrich-service").restart(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> generator.sent() > 2_500);
        stack.service("aggregate-service").restart(Duration.ofMinutes(2));
        traffic.join(Duration.ofMinutes(3).toMillis());

        long expected = generator.acceptedIds().size();
        String query = "{\"app\":\"" + app.get("app").asText() + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\"}";
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertEquals(expected,
                HTTP.post(url("query-api", "/v1/query"), app.get("read_token").asText(), query).body().get("results").get(0)
                        .get("metrics").get(0).asLong(), "events stored = distinct events accepted"));

        // and every daily metric equals the generator's own computation over what was accepted
        JsonNode daily = HTTP.post(url("query-api", "/v1/query"), app.get("read_token").asText(),
                DailyMetricsCheck.query(app.get("app").asText())).body().get("results");
        assertEquals(List.of(), DailyMetricsCheck.mismatches(daily, generator.expectedDaily(ZoneOffset.UTC)));

        // and every derived table equals a rebuild of it from the raw store, i.e. each stored event applied once
        String appId = app.get("app").asText();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> afterKills;
        try (Connection db = stack.openDatabase()) {
            afterKills = FactTables.snapshot(db, appId);
        }
        PulseClient.Reply rebuilt = HTTP.post(url("aggregate-service", "/v1/admin/recompute"), ADMIN,
                "{\"app\":\"" + appId + "\",\"from\":\"" + today.minusDays(7) + "\",\"to\":\"" + today + "\"}");
        assertEquals(200, rebuilt.status(), String.valueOf(rebuilt.body()));
        assertEquals(expected, rebuilt.body().get("events_replayed").asLong());
        try (Connection db = stack.openDatabase()) {
            assertEquals(List.of(), FactTables.differences(afterKills, FactTables.snapshot(db, appId)));
        }
    }

    @Test
    void whileKafkaIsDownIngestAnswers503AndTheResendAfterItsRestartIsCountedOnce() throws Exception {
        JsonNode app = createApp("UTC");
        String writeKey = app.get("write_key").asText();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> events = new ArrayList<>();
        for (int u = 1; u <= 10; u++) {
            events.add(event("k" + u, now.minusSeconds(u).toString()));
        }
        String batch = "[" + String.join(",", events) + "]";
        stack.killBroker();
        try {
            PulseClient.Reply refused = HTTP.post(url("ingest-service", "/v1/events"), writeKey, batch);
            assertEquals(503, refused.status(), String.valueOf(refused.body()));
            assertNotNull(refused.retryAfter(), "503 says when to come back");
            await().atMost(Duration.ofSeconds(60)).until(() -> HTTP.get(url("ingest-service", "/q/health/ready"), "").status() == 503);
        } finally {
            stack.startBroker(options);
        }
        // the client keeps resending the same batch, as told by Retry-After, until it is accepted; then once more
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> HTTP.post(url("ingest-service", "/v1/events"), writeKey, batch).status() == 202);
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey, batch).status());

        String query = "{\"app\":\"" + app.get("app").asText() + "\",\"metrics\":[\"events\",\"active_users\"],\"date_range\":\"7d\"}";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode totals = HTTP.post(url("query-api", "/v1/query"), app.get("read_token").asText(), query).body().get("results").get(0);
            assertEquals(10, totals.get("metrics").get(0).asInt(), "each event once, however often it was sent");
            assertEquals(10, totals.get("metrics").get(1).asInt());
        });
    }

    /** The admin API's map of custom events to categories reaches enrichment: stored events carry the mapped category. */
    @Test
    void customEventCategoriesSetOverTheAdminApiAreTheCategoriesOfEnrichedEvents() {
        JsonNode app = createApp("UTC");
        Map<String, String> mapped = Map.of("video_upload", "engagement", "invite_sent", "growth");
        PulseClient.Reply set = HTTP.put(url("ingest-service", "/v1/admin/apps/" + app.get("app").asText() + "/categories"), ADMIN,
                "{\"categories\":{\"video_upload\":\"engagement\",\"invite_sent\":\"growth\"}}");
        assertEquals(200, set.status(), String.valueOf(set.body()));
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<String> names = List.of("video_upload", "video_upload", "invite_sent", "custom_thing", "signup");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            events.add("{\"event\":\"" + names.get(i) + "\",\"user_id\":\"c" + i + "\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"timestamp\":\"" + now + "\"}");
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), app.get("write_key").asText(), "[" + String.join(",", events) + "]").status());
        // what each event must count as: the app's map for custom events, other when unmapped, SPEC §2 for built-ins
        Map<String, Integer> expected = new TreeMap<>();
        for (String name : names) {
            String category = name.equals("signup") ? "acquisition" : mapped.getOrDefault(name, "other");
            expected.merge(name + "/" + category, 1, Integer::sum);
        }
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        String query = "{\"app\":\"" + app.get("app").asText() + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + today + "\",\""
                + today + "\"],\"dimensions\":[\"event:name\",\"event:category\"]}";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Integer> counted = new TreeMap<>();
            HTTP.post(url("query-api", "/v1/query"), app.get("read_token").asText(), query).body().get("results").forEach(row ->
                    counted.put(row.get("dimensions").get(0).asText() + "/" + row.get("dimensions").get(1).asText(), row.get("metrics").get(0).asInt()));
            assertEquals(expected, counted);
        });
    }

    @Test
    void eventsOfANonUtcAppFallOnItsLocalDaysAcrossBothDaylightSavingChanges() {
        JsonNode app = createApp("America/New_York");
        // instant -> New York calendar day; a fixed UTC-5 offset would get the EDT ones wrong
        Map<String, String> dayOf = new LinkedHashMap<>();
        dayOf.put("2026-03-08T04:30:00Z", "2026-03-07"); // 23:30 EST
        dayOf.put("2026-03-08T06:59:00Z", "2026-03-08"); // 01:59 EST, just before the clocks go forward
        dayOf.put("2026-03-08T07:30:00Z", "2026-03-08"); // 03:30 EDT
        dayOf.put("2026-03-09T03:30:00Z", "2026-03-08"); // 23:30 EDT
        dayOf.put("2026-03-09T04:30:00Z", "2026-03-09"); // 00:30 EDT
        dayOf.put("2026-11-01T05:30:00Z", "2026-11-01"); // 01:30 EDT
        dayOf.put("2026-11-01T06:30:00Z", "2026-11-01"); // 01:30 EST, the repeated hour
        dayOf.put("2026-11-02T04:30:00Z", "2026-11-01"); // 23:30 EST
        dayOf.put("2026-11-02T05:30:00Z", "2026-11-02"); // 00:30 EST
        dayOf.put("2026-10-31T03:30:00Z", "2026-10-30"); // 23:30 EDT
        List<String> events = new ArrayList<>();
        int u = 0;
        for (String instant : dayOf.keySet()) {
            events.add(event("d" + u++, instant));
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), app.get("write_key").asText(),
                "[" + String.join(",", events) + "]").status());
        Map<String, Integer> expected = new TreeMap<>();
        dayOf.values().forEach(day -> expected.merge(day, 1, Integer::sum));
        for (String[] range : List.of(new String[] {"2026-03-07", "2026-03-09"}, new String[] {"2026-10-30", "2026-11-02"})) {
            String query = "{\"app\":\"" + app.get("app").asText() + "\",\"metrics\":[\"events\"],\"date_range\":[\""
                    + range[0] + "\",\"" + range[1] + "\"],\"dimensions\":[\"time:day\"]}";
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<String, Integer> byDay = new TreeMap<>();
                HTTP.post(url("query-api", "/v1/query"), app.get("read_token").asText(), query).body().get("results")
                        .forEach(row -> byDay.put(row.get("dimensions").get(0).asText(), row.get("metrics").get(0).asInt()));
                Map<String, Integer> want = new TreeMap<>();
                for (LocalDate d = LocalDate.parse(range[0]); !d.isAfter(LocalDate.parse(range[1])); d = d.plusDays(1)) {
                    want.put(d.toString(), expected.getOrDefault(d.toString(), 0));
                }
                assertEquals(want, byDay);
            });
        }
    }
    /** One sent event of the post and content scenario: who, what, when, and the post or the item with its play time. */
    private record Sent(String user, String event, Instant at, long post, String action, int durationMs) {
        LocalDate day() {
            return at.atZone(ZoneOffset.UTC).toLocalDate();
        }

        String json() {
            String properties = event.startsWith("feed.") ? "{\"post_id\":" + post + "}"
                    : "{\"content_id\":\"clip-1\",\"action\":\"" + action + "\",\"duration_ms\":" + durationMs + "}";
            return "{\"event\":\"" + event + "\",\"user_id\":\"" + user + "\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"timestamp\":\"" + at + "\",\"properties\":" + properties + "}";
        }
    }

    /**
     * GET /v1/posts/{id} and /v1/content/{id} from events sent over HTTP: each day's figures and the range's totals
     * equal their definitions over the sent events (a like before the view is no view-to-like time; users over the
     * range are distinct, not the sum of the days').
     */
    @Test
    void postAndContentReportsEqualTheirDefinitionsOverTheEventsSent() {
        JsonNode app = createApp("UTC");
        String appId = app.get("app").asText();
        String writeKey = app.get("write_key").asText();
        String readToken = app.get("read_token").asText();
        int length = 80;
        assertEquals(200, HTTP.put(url("ingest-service", "/v1/catalog/content/clip-1"), writeKey,
                "{\"title\":\"Clip\",\"content_type\":\"video\",\"length_seconds\":" + length + "}").status());
        // the entry has reached enrichment once the report shows it: engagement shares need its length
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> HTTP.get(url("query-api",
                "/v1/content/clip-1?app=" + appId), readToken).body().path("title").asText().equals("Clip"));
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(2);
        Random random = new Random(7);
        String[] kinds = {"feed.view", "feed.view", "feed.like", "content.engagement"};
        String[] actions = {"play", "play", "pause", "finish"};
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            sent.add(new Sent("p" + random.nextInt(8), kinds[random.nextInt(kinds.length)],
                    first.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextInt(2 * 86_400)), 7 + random.nextInt(2),
                    actions[random.nextInt(actions.length)], random.nextInt(120_000)));
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey,
                sent.stream().map(Sent::json).collect(Collectors.joining(",", "[", "]"))).status());

        List<LocalDate> days = List.of(first, first.plusDays(1), today);
        List<Sent> post = sent.stream().filter(e -> e.event().startsWith("feed.") && e.post() == 7).toList();
        List<Sent> clip = sent.stream().filter(e -> e.event().equals("content.engagement")).toList();
        List<Map<String, Object>> expectedPost = new ArrayList<>(List.of(postFigures(post, null)));
        List<Map<String, Object>> expectedClip = new ArrayList<>(List.of(contentFigures(clip, null, length)));
        for (LocalDate day : days) {
            expectedPost.add(postFigures(post.stream().filter(e -> e.day().equals(day)).toList(), day));
            expectedClip.add(contentFigures(clip.stream().filter(e -> e.day().equals(day)).toList(), day, length));
        }
        String range = "?app=" + appId + "&from=" + first + "&to=" + today;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertEquals(expectedPost, figures(HTTP.get(url("query-api", "/v1/posts/7" + range), readToken).body()), "post 7");
            assertEquals(expectedClip, figures(HTTP.get(url("query-api", "/v1/content/clip-1" + range), readToken).body()), "clip-1");
        });
    }

    /**
     * Rollup answers over closed days come from aggregate's day state (V33) and equal the raw store's for every
     * dimension the state keeps, with filters, over a range up to today, after a late event, and read from the state
     * indeed: a value changed in it shows in the next new question.
     */
    @Test
    void answersFromTheDayStateEqualTheRawStoreForEveryDimension() throws Exception {
        JsonNode app = createApp("UTC");
        String appId = app.get("app").asText();
        String writeKey = app.get("write_key").asText();
        String readToken = app.get("read_token").asText();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(4);
        LocalDate lastClosed = today.minusDays(2);
        Random random = new Random(15);
        String[] countries = {"DE", "FR", "US", null};
        String[] kinds = {"feed.view", "feed.view", "feed.like", "message.sent", "page_view", "signup", "level.up", "purchase"};
        String[] devices = {"mobile", "desktop", null};
        List<String> events = new ArrayList<>();
        List<Activity> activity = new ArrayList<>();
        for (LocalDate day : List.of(first, first.plusDays(1), lastClosed, today)) {
            for (int i = 0; i < 40; i++) {
                int user = random.nextInt(12);
                activity.add(new Activity("u" + user, day, String.valueOf(user % 2), "os" + user % 3));
                String kind = kinds[random.nextInt(kinds.length)];
                String country = countries[(user + random.nextInt(2)) % countries.length];
                String properties = switch (kind) {
                    case "feed.view", "feed.like" -> ",\"properties\":{\"post_id\":" + random.nextInt(5) + "}";
                    case "message.sent" -> ",\"properties\":{\"receiver_id\":\"u" + random.nextInt(12) + "\"}";
                    case "purchase" -> ",\"properties\":{\"revenue\":" + random.nextInt(5000) / 100.0 + "}";
                    default -> "";
                };
                String device = devices[random.nextInt(devices.length)];
                String host = "site" + random.nextInt(3) + ".example";
                events.add("{\"event\":\"" + kind + "\",\"user_id\":\"u" + user + "\",\"event_id\":\"" + UUID.randomUUID()
                        + "\",\"timestamp\":\"" + day.atTime(1 + i % 20, i) + "Z\"" + properties
                        + ",\"user\":{\"gender\":" + user % 2 + ",\"age\":" + (20 + user) + ",\"os\":\"os" + user % 3 + "\",\"source\":\"s"
                        + user % 2 + "\",\"city\":\"c" + user % 4 + "\",\"exp_group\":" + user % 3
                        + (country == null ? "" : ",\"country\":\"" + country + "\"") + "}"
                        + ",\"context\":{\"host\":\"" + host + "\",\"url\":\"https://" + host + "/p\"" + (device == null ? "" : ",\"device\":\"" + device + "\"") + "}}");
            }
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey, "[" + String.join(",", events) + "]").status());
        String stored = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + first + "\",\"" + today + "\"]}";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> HTTP.post(url("query-api", "/v1/query"),
                readToken, stored).body().path("results").path(0).path("metrics").path(0).asInt() == events.size());
        awaitDayState(appId, first, lastClosed);
        awaitOpenDayState(appId, today);
        assertStateAnswersEqualTheRawStore(appId, readToken, first, lastClosed, today);
        assertRetentionEqualsTheEvents(appId, readToken, activity, first, lastClosed, today);

        // late events of new users for two closed days: those are read from the rollup, together, until their state is built again
        String late = "{\"event\":\"level.up\",\"user_id\":\"late-user\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\""
                + first.plusDays(1).atTime(12, 0) + "Z\",\"user\":{\"country\":\"DE\"},\"context\":{\"device\":\"tv\"}}";
        String later = "{\"event\":\"signup\",\"user_id\":\"late-user-2\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\""
                + lastClosed.atTime(13, 0) + "Z\",\"user\":{\"country\":\"FR\"},\"context\":{\"device\":\"mobile\"}}";
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey, "[" + late + "," + later + "]").status());
        activity.add(new Activity("late-user", first.plusDays(1), null, null));
        activity.add(new Activity("late-user-2", lastClosed, null, null));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> HTTP.post(url("query-api", "/v1/query"),
                readToken, stored).body().path("results").path(0).path("metrics").path(0).asInt() == events.size() + 2);
        assertStateAnswersEqualTheRawStore(appId, readToken, first, lastClosed, today);
        assertRetentionEqualsTheEvents(appId, readToken, activity, first, lastClosed, today);
        awaitDayState(appId, first, lastClosed);
        assertStateAnswersEqualTheRawStore(appId, readToken, first, lastClosed, today);
        assertRetentionEqualsTheEvents(appId, readToken, activity, first, lastClosed, today);

        // the state is what answers: a changed sum shows in a question not asked before
        String question = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + first + "\",\"" + lastClosed
                + "\"],\"dimensions\":[\"device\"],\"filters\":[[\"is\",\"device\",[\"tv\"]]]}";
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE day_values SET events = events + 1000 WHERE app_id = '" + appId + "' AND dimension = 'device'"
                    + " AND value = 'tv'"));
        }
        assertEquals(1001, HTTP.post(url("query-api", "/v1/query"), readToken, question).body().path("results").path(0).path("metrics").path(0).asInt());

        // a dimension a day's state does not hold (aggregate drops the one of the most values past its limit) is read of
        // that day per user: its rows, changed, do not show in a question not asked before
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            assertTrue(s.executeUpdate("UPDATE day_values SET events = events + 1000 WHERE app_id = '" + appId + "' AND event_date = '" + first
                    + "' AND dimension = 'post:id'") > 0);
            assertEquals(1, s.executeUpdate("UPDATE day_state SET unheld = '{post:id}' WHERE app_id = '" + appId + "' AND event_date = '" + first + "'"));
        }
        Query byPost = new Query(new App(appId, ZoneOffset.UTC), List.of(Metric.EVENTS, Metric.ACTIVE_USERS), first, lastClosed,
                List.of(Dimension.POST_ID), List.of(new Filter("is_not", Dimension.POST_ID, List.of("4"))), List.of(), Integer.MAX_VALUE, 0);
        JsonNode fromState = HTTP.post(url("query-api", "/v1/query"), readToken, RawStoreAnswer.body(byPost)).body();
        assertTrue(fromState.path("results").size() > 1, fromState.toString());
        try (Connection c = stack.openDatabase()) {
            assertEquals(Set.copyOf(byPost.metrics()), RawStoreAnswer.assertAnswers(c, byPost, fromState.toString(),
                    "by post, a day's post ids dropped from its state"));
        }

        // today's state too (V34): a changed sum of today's rows shows in a question not asked before
        String hosts = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + today + "\",\"" + today + "\"],\"dimensions\":[\"page:host\"]}";
        JsonNode byHost = HTTP.post(url("query-api", "/v1/query"), readToken, hosts).body().path("results");
        int site0 = 0;
        for (JsonNode group : byHost) {
            if ("site0.example".equals(group.path("dimensions").path(0).asText())) {
                site0 = group.path("metrics").path(0).asInt();
            }
        }
        int tampered;
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            tampered = s.executeUpdate("UPDATE day_value_deltas SET events = events + 1000 WHERE app_id = '" + appId + "' AND event_date = '" + today
                    + "' AND dimension = 'page:host' AND value = 'site0.example'");
        }
        assertTrue(tampered > 0, "today's state has rows of site0.example");
        String site0Today = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + today + "\",\"" + today
                + "\"],\"filters\":[[\"is\",\"page:host\",[\"site0.example\"]]]}";
        assertEquals(site0 + 1000 * tampered, HTTP.post(url("query-api", "/v1/query"), readToken, site0Today).body().path("results").path(0).path("metrics").path(0).asInt());

        // retention too: the first day's first users replaced by the next day's (none of whom was active on the first)
        // empty its cohort in a question not asked before
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE day_state d SET first_users = n.first_users FROM day_state n WHERE d.app_id = '" + appId
                    + "' AND n.app_id = d.app_id AND d.event_date = '" + first + "' AND n.event_date = '" + first.plusDays(1) + "'"));
        }
        String cohorts = "/v1/retention?app=" + appId + "&from=" + first + "&to=" + first + "&period=day&horizon=1&breakdown=user:city";
        assertEquals(Map.of(), retention(HTTP.get(url("query-api", cohorts), readToken).body()), "no group has a cohort");
    }

    /**
     * A new app's 30-day question: its closed days have no events and no state; they are answered as empty, and today
     * from its state, not the whole range per user from the rollup.
     */
    @Test
    void aNewAppsThirtyDaysAreAnsweredFromTodaysStateAndItsEmptyDays() throws Exception {
        JsonNode app = createApp("UTC");
        String appId = app.get("app").asText();
        String readToken = app.get("read_token").asText();
        Instant now = Instant.now();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Random random = new Random(30);
        List<String> events = new ArrayList<>();
        Map<String, Integer> byName = new TreeMap<>();
        int site0 = 0;
        for (int i = 0; i < 60; i++) {
            // today's, a second apart back from now (at midnight, all at its first instant)
            Instant at = Collections.max(List.of(now.minusSeconds(i), today.atStartOfDay(ZoneOffset.UTC).toInstant()));
            String name = List.of("page_view", "signup", "level.up").get(random.nextInt(3));
            String host = "site" + random.nextInt(2) + ".example";
            byName.merge(name, 1, Integer::sum);
            site0 += host.equals("site0.example") ? 1 : 0;
            events.add("{\"event\":\"" + name + "\",\"user_id\":\"u" + random.nextInt(9) + "\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"timestamp\":\"" + at + "\",\"context\":{\"host\":\"" + host + "\",\"url\":\"https://" + host + "/p\"}}");
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), app.get("write_key").asText(), "[" + String.join(",", events) + "]").status());
        String range = "\"date_range\":[\"" + today.minusDays(29) + "\",\"" + today + "\"]";
        String total = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"]," + range + "}";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> HTTP.post(url("query-api", "/v1/query"),
                readToken, total).body().path("results").path(0).path("metrics").path(0).asInt() == events.size());
        awaitOpenDayState(appId, today);
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            // aggregate's job builds no state for days before an app's first event, unless it ran before that event came
            // (then each is an empty state, which this test must not lean on)
            s.executeUpdate("DELETE FROM day_values WHERE app_id = '" + appId + "'");
            s.executeUpdate("DELETE FROM day_state WHERE app_id = '" + appId + "'");
        }

        Map<String, Integer> answered = new TreeMap<>();
        for (JsonNode group : HTTP.post(url("query-api", "/v1/query"), readToken, "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"]," + range
                + ",\"dimensions\":[\"event:name\"]}").body().path("results")) {
            answered.put(group.path("dimensions").path(0).asText(), group.path("metrics").path(0).asInt());
        }
        assertEquals(byName, answered);

        int tampered;
        try (Connection c = stack.openDatabase(); var s = c.createStatement()) {
            tampered = s.executeUpdate("UPDATE day_value_deltas SET events = events + 1000 WHERE app_id = '" + appId + "' AND event_date = '" + today
                    + "' AND dimension = 'page:host' AND value = 'site0.example'");
        }
        assertTrue(tampered > 0, "today's state has rows of site0.example");
        String site0Month = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"]," + range + ",\"filters\":[[\"is\",\"page:host\",[\"site0.example\"]]]}";
        assertEquals(site0 + 1000 * tampered, HTTP.post(url("query-api", "/v1/query"), readToken, site0Month).body().path("results").path(0)
                .path("metrics").path(0).asInt(), "today's state answers the 30 days");
    }

    /** A user's event on a day, with the traits it sent (null where it sent none). */
    private record Activity(String user, LocalDate day, String gender, String os) {
    }

    /**
     * Retention by day and week, whole, split by a trait and filtered, against cohorts worked out from the events sent:
     * a user's cohort is the period of their first event's day, their groups the traits they sent that day.
     */
    private static void assertRetentionEqualsTheEvents(String appId, String readToken, List<Activity> activity, LocalDate first,
            LocalDate lastClosed, LocalDate today) {
        record Ask(LocalDate to, boolean weekly, int horizon, String breakdown, String filters, java.util.function.Predicate<Activity> passes,
                java.util.function.Function<Activity, String> group) {
        }
        List<Ask> asks = List.of(
                new Ask(today, false, 3, null, null, a -> true, a -> "null"),
                new Ask(lastClosed, true, 1, null, null, a -> true, a -> "null"),
                new Ask(today, false, 2, "user:gender", null, a -> true, a -> String.valueOf(a.gender())),
                new Ask(lastClosed, false, 4, "user:os", "[[\"is_not\",\"user:os\",[\"os1\"]]]", a -> !"os1".equals(a.os()), a -> String.valueOf(a.os())),
                new Ask(today, true, 0, null, "[[\"is\",\"user:gender\",[\"0\"]]]", a -> "0".equals(a.gender()), a -> "null"));
        Map<String, LocalDate> firstDay = new TreeMap<>();
        activity.forEach(a -> firstDay.merge(a.user(), a.day(), (x, y) -> x.isBefore(y) ? x : y));
        for (Ask ask : asks) {
            java.util.function.Function<LocalDate, LocalDate> period = day -> ask.weekly() ? day.with(java.time.DayOfWeek.MONDAY) : day;
            int step = ask.weekly() ? 7 : 1;
            Map<String, Map<LocalDate, java.util.Set<String>>> members = new TreeMap<>();
            activity.stream().filter(a -> a.day().equals(firstDay.get(a.user())) && !a.day().isAfter(ask.to()) && ask.passes().test(a)).forEach(a -> members
                    .computeIfAbsent(ask.group().apply(a), g -> new TreeMap<>()).computeIfAbsent(period.apply(a.day()), p -> new java.util.TreeSet<>()).add(a.user()));
            Map<String, List<Long>> expected = new TreeMap<>();
            members.forEach((group, cohorts) -> {
                for (LocalDate p = period.apply(first); !p.isAfter(period.apply(ask.to())); p = p.plusDays(step)) {
                    java.util.Set<String> cohort = cohorts.getOrDefault(p, java.util.Set.of());
                    List<Long> cells = new ArrayList<>(List.of((long) cohort.size()));
                    for (int k = 0; k <= ask.horizon(); k++) {
                        LocalDate then = p.plusDays((long) k * step);
                        cells.add(activity.stream().filter(a -> cohort.contains(a.user()) && period.apply(a.day()).equals(then)).map(Activity::user).distinct().count());
                    }
                    expected.put(group + "|" + p, cells);
                }
            });
            String url = "/v1/retention?app=" + appId + "&from=" + first + "&to=" + ask.to() + "&period=" + (ask.weekly() ? "week" : "day")
                    + "&horizon=" + ask.horizon() + (ask.breakdown() == null ? "" : "&breakdown=" + ask.breakdown())
                    + (ask.filters() == null ? "" : "&filters=" + java.net.URLEncoder.encode(ask.filters(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(expected, retention(HTTP.get(url("query-api", url), readToken).body()), url);
        }
    }

    /** A retention answer's cohorts with a member: "group|cohort" to its size and retained counts. */
    private static Map<String, List<Long>> retention(JsonNode answer) {
        Map<String, List<Long>> cohorts = new TreeMap<>();
        answer.path("cohorts").forEach(c -> {
            List<Long> cells = new ArrayList<>(List.of(c.path("size").asLong()));
            c.path("retained").forEach(n -> cells.add(n.asLong()));
            cohorts.put(c.path("breakdown_value").asText("null") + "|" + c.path("cohort").asText(), cells);
        });
        return cohorts;
    }

    /** Until aggregate has built the state of days {@code from..to} under the versions they have now. */
    private static void awaitDayState(String appId, LocalDate from, LocalDate to) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Connection c = stack.openDatabase(); var s = c.createStatement(); var rs = s.executeQuery("""
                    SELECT count(*) FROM day_state s WHERE s.app_id = '%1$s' AND s.event_date BETWEEN '%2$s' AND '%3$s'
                      AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = '%1$s'), 0)
                      AND s.day_version = coalesce((SELECT version FROM closed_day_changes c WHERE c.app_id = '%1$s' AND c.event_date = s.event_date), 0)"""
                    .formatted(appId, from, to))) {
                rs.next();
                return rs.getLong(1) == from.datesUntil(to.plusDays(1)).count();
            }
        });
    }

    /** Waits until the day not over yet has a state of the app's version that batches add to (aggregate's OpenDayStateJob). */
    private static void awaitOpenDayState(String appId, LocalDate day) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Connection c = stack.openDatabase(); var s = c.createStatement(); var rs = s.executeQuery("""
                    SELECT count(*) FROM open_day_state s WHERE s.app_id = '%1$s' AND s.event_date = '%2$s' AND s.held
                      AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = '%1$s'), 0)""".formatted(appId, day))) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        });
    }

    /** A question's dimensions and filters. */
    private record Shape(List<Dimension> dimensions, List<Filter> filters) {
    }

    /**
     * Each question's answer (the day state, the rollups) against the raw store's SQL (RawStoreAnswer), after the same question
     * without new users (the days it leaves cached must not answer one with them). users_lifetime_7d and its kin need a
     * first day 7 days before one of the four: QueryResourceIT compares them.
     */
    private static void assertStateAnswersEqualTheRawStore(String appId, String readToken, LocalDate first, LocalDate lastClosed, LocalDate today)
            throws Exception {
        List<Metric> metrics = RawStoreAnswer.metrics("active_users", "events", "views", "likes", "ctr", "new_users", "feed_users", "senders",
                "feed_only_users", "messenger_only_users", "both_users", "page_views", "viewers", "likers", "revenue", "paying_users",
                "avg_order_value", "posts", "receivers", "connections", "new_feed_users", "new_messenger_users");
        Set<Metric> exercised = new HashSet<>();
        List<Shape> shapes = new ArrayList<>(List.of(new Shape(List.of(), List.of()), new Shape(List.of(Dimension.TIME_DAY), List.of()),
                new Shape(List.of(Dimension.TIME_WEEK), List.of()), new Shape(List.of(Dimension.TIME_MONTH, Dimension.USER_GENDER), List.of()),
                new Shape(List.of(Dimension.USER_COUNTRY), List.of(new Filter("is_not", Dimension.USER_COUNTRY, List.of("FR")))),
                new Shape(List.of(Dimension.TIME_DAY), List.of(new Filter("contains", Dimension.PAGE_HOST, List.of("site1"))))));
        for (Dimension dimension : RawStoreAnswer.dimensions("user:gender", "user:age", "user:os", "user:source", "user:country", "user:city",
                "user:exp_group", "event:name", "event:category", "device", "page:host", "content:type", "post:id", "content:id")) {
            shapes.add(new Shape(List.of(dimension), List.of()));
        }
        shapes.add(new Shape(List.of(Dimension.TIME_DAY, Dimension.DEVICE), List.of()));
        for (LocalDate to : List.of(lastClosed, today)) {
            for (Shape shape : shapes) {
                List<Dimension> dimensions = shape.dimensions();
                List<Filter> filters = shape.filters();
                Query question = new Query(new App(appId, ZoneOffset.UTC), metrics, first, to, dimensions, filters, List.of(), Integer.MAX_VALUE, 0);
                // a question without new users first: the days it leaves cached must not answer one with them
                Query withoutNew = new Query(question.app(), metrics.stream().filter(m -> m != Metric.NEW_USERS).toList(), first, to, dimensions,
                        filters, List.of(), Integer.MAX_VALUE, 0);
                assertEquals(200, HTTP.post(url("query-api", "/v1/query"), readToken, RawStoreAnswer.body(withoutNew)).status());
                String answer = HTTP.post(url("query-api", "/v1/query"), readToken, RawStoreAnswer.body(question)).body().toString();
                try (Connection c = stack.openDatabase()) {
                    exercised.addAll(RawStoreAnswer.assertAnswers(c, question, answer, dimensions + " " + filters + " to " + to));
                }
            }
        }
        assertEquals(Set.copyOf(metrics), exercised, "every metric is not zero somewhere");
    }

    /**
     * One answer reads a closed day without state in two statements, its users per group and its first users: aggregate
     * may number a user between them (held here between the two, by a lock on the first users), so the first read has
     * the user unnumbered and the second with an ordinal. The user is still one new user (it was none: CI, 56972c2).
     * The day is older than the days aggregate keeps a state of, so its job numbers none of the day's users meanwhile
     * (it would wait for the lock while holding a read of the first users: a deadlock); the test numbers one itself.
     */
    @Test
    void aUserNumberedBetweenTwoReadsOfOneAnswerIsCountedOnce() throws Exception {
        JsonNode app = createApp("UTC");
        String appId = app.get("app").asText();
        String writeKey = app.get("write_key").asText();
        String readToken = app.get("read_token").asText();
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(120);
        List<String> events = new ArrayList<>();
        for (int u = 0; u < 6; u++) {
            events.add("{\"event\":\"signup\",\"user_id\":\"u" + u + "\",\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\""
                    + day.atTime(10, u) + "Z\",\"user\":{\"country\":\"" + (u % 2 == 0 ? "DE" : "US") + "\"}}");
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), writeKey, "[" + String.join(",", events) + "]").status());
        awaitEvents(appId, readToken, day, day, events.size());
        Query question = new Query(new App(appId, ZoneOffset.UTC), List.of(Metric.NEW_USERS, Metric.ACTIVE_USERS), day, day,
                List.of(Dimension.USER_COUNTRY), List.of(), List.of(), Integer.MAX_VALUE, 0);
        try (Connection hold = stack.openDatabase(); var s = hold.createStatement()) {
            hold.setAutoCommit(false);
            s.execute("LOCK TABLE user_first_seen IN ACCESS EXCLUSIVE MODE");
            try (var rs = s.executeQuery("SELECT count(*) FROM user_ordinals WHERE app_id = '" + appId + "'")) {
                rs.next();
                assertEquals(0, rs.getLong(1), "no user of the day is numbered yet");
            }
            s.execute("""
                    WITH c AS (INSERT INTO user_ordinal_counters AS c (app_id, given) VALUES ('%1$s', 1)
                               ON CONFLICT (app_id) DO UPDATE SET given = c.given + 1 RETURNING c.given)
                    INSERT INTO user_ordinals (app_id, user_id, ordinal) SELECT '%1$s', 'u0', c.given - 1 FROM c""".formatted(appId));
            CompletableFuture<PulseClient.Reply> answer = CompletableFuture.supplyAsync(
                    () -> HTTP.post(url("query-api", "/v1/query"), readToken, RawStoreAnswer.body(question)));
            // query-api gives up on a lock after 2 s: the first users' read is let go as soon as it waits
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try (Connection c = stack.openDatabase(); var q = c.createStatement(); var rs = q.executeQuery("""
                        SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                          AND query LIKE 'SELECT f.first_date, f.user_id, %FROM user_first_seen f%'""")) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            });
            hold.commit();
            PulseClient.Reply reply = answer.get(30, TimeUnit.SECONDS);
            assertEquals(200, reply.status(), reply.body().toString());
            try (Connection c = stack.openDatabase()) {
                assertEquals(Set.copyOf(question.metrics()), RawStoreAnswer.assertAnswers(c, question, reply.body().toString(),
                        "a new user numbered between two reads"));
            }
        }
    }

    private static void awaitEvents(String appId, String readToken, LocalDate from, LocalDate to, int count) {
        String stored = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + from + "\",\"" + to + "\"]}";
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> HTTP.post(url("query-api", "/v1/query"),
                readToken, stored).body().path("results").path(0).path("metrics").path(0).asInt() == count);
    }

    /** /v1/users/{id}'s messenger block from message.sent events sent over HTTP, against the messages themselves. */
    @Test
    void aUsersMessengerCadenceAndConnectionsEqualTheMessagesSent() {
        JsonNode app = createApp("UTC");
        String appId = app.get("app").asText();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Random random = new Random(11);
        List<String[]> messages = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int from = random.nextInt(14);
            int to = (from + 1 + random.nextInt(13)) % 14;
            // m0 in most of them, on either side
            String sender = i % 3 == 0 ? "m0" : "m" + from;
            String receiver = i % 3 == 1 ? "m0" : "m" + to;
            if (sender.equals(receiver)) {
                continue;
            }
            Instant at = now.minusSeconds(random.nextInt(2 * 86_400));
            messages.add(new String[] {sender, receiver, at.toString()});
            events.add("{\"event\":\"message.sent\",\"user_id\":\"" + sender + "\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"timestamp\":\"" + at + "\",\"properties\":{\"receiver_id\":\"" + receiver + "\"}}");
        }
        assertEquals(202, HTTP.post(url("ingest-service", "/v1/events"), app.get("write_key").asText(), "[" + String.join(",", events) + "]").status());

        Map<String, Object> expected = new LinkedHashMap<>();
        List<String[]> sent = messages.stream().filter(m -> m[0].equals("m0")).toList();
        List<String[]> received = messages.stream().filter(m -> m[1].equals("m0")).toList();
        expected.put("messages_sent", (long) sent.size());
        expected.put("messages_received", (long) received.size());
        expected.put("sent_to", sent.stream().map(m -> m[1]).distinct().count());
        expected.put("received_from", received.stream().map(m -> m[0]).distinct().count());
        expected.put("avg_seconds_between_sent", meanGapWithinDays(sent));
        expected.put("avg_seconds_between_received", meanGapWithinDays(received));
        Map<String, long[]> byOther = new TreeMap<>();
        sent.forEach(m -> byOther.computeIfAbsent(m[1], k -> new long[2])[0]++);
        received.forEach(m -> byOther.computeIfAbsent(m[0], k -> new long[2])[1]++);
        expected.put("top_connections", byOther.entrySet().stream()
                .sorted(java.util.Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -(e.getValue()[0] + e.getValue()[1]))
                        .thenComparing(Map.Entry::getKey))
                .limit(10).map(e -> e.getKey() + ":" + e.getValue()[0] + "/" + e.getValue()[1]).toList());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode user = HTTP.get(url("query-api", "/v1/users/m0?app=" + appId), app.get("read_token").asText()).body();
            Map<String, Object> actual = row(user.path("messenger"));
            actual.remove("from");
            actual.remove("to");
            List<String> top = new ArrayList<>();
            user.path("messenger").path("top_connections").forEach(c -> top.add(c.get("user_id").asText() + ":" + c.get("sent").asLong()
                    + "/" + c.get("received").asLong()));
            actual.put("top_connections", top);
            assertEquals(expected, actual);
        });
    }

    /** Over the days (UTC) with two messages or more: the sum of first-to-last spans over the sum of gaps. */
    private static Double meanGapWithinDays(List<String[]> messages) {
        Map<LocalDate, List<Instant>> byDay = new TreeMap<>();
        messages.forEach(m -> byDay.computeIfAbsent(Instant.parse(m[2]).atZone(ZoneOffset.UTC).toLocalDate(), k -> new ArrayList<>())
                .add(Instant.parse(m[2])));
        long seconds = 0;
        long gaps = 0;
        for (List<Instant> times : byDay.values()) {
            if (times.size() > 1) {
                seconds += Duration.between(java.util.Collections.min(times), java.util.Collections.max(times)).getSeconds();
                gaps += times.size() - 1;
            }
        }
        return gaps == 0 ? null : round4((double) seconds / gaps);
    }

    private static Map<String, Object> postFigures(List<Sent> events, LocalDate day) {
        Map<String, Object> figures = new LinkedHashMap<>();
        if (day != null) {
            figures.put("date", day.toString());
        }
        long views = events.stream().filter(e -> e.event().equals("feed.view")).count();
        long likes = events.size() - views;
        figures.put("views", views);
        figures.put("viewers", events.stream().filter(e -> e.event().equals("feed.view")).map(Sent::user).distinct().count());
        figures.put("likes", likes);
        figures.put("likers", events.stream().filter(e -> e.event().equals("feed.like")).map(Sent::user).distinct().count());
        figures.put("ctr", round4(views == 0 ? 0 : (double) likes / views));
        // per user and day: the first like minus the first view, when the like is not before the view
        Map<String, Instant[]> firsts = new TreeMap<>();
        for (Sent e : events) {
            Instant[] f = firsts.computeIfAbsent(e.user() + "|" + e.day(), k -> new Instant[2]);
            int side = e.event().equals("feed.view") ? 0 : 1;
            f[side] = f[side] == null || e.at().isBefore(f[side]) ? e.at() : f[side];
        }
        List<Long> gaps = firsts.values().stream().filter(f -> f[0] != null && f[1] != null && !f[1].isBefore(f[0]))
                .map(f -> Duration.between(f[0], f[1]).getSeconds()).toList();
        figures.put("avg_view_to_like_seconds", gaps.isEmpty() ? null : round4(gaps.stream().mapToLong(Long::longValue).average().orElseThrow()));
        return figures;
    }

    private static Map<String, Object> contentFigures(List<Sent> events, LocalDate day, int lengthSeconds) {
        Map<String, Object> figures = new LinkedHashMap<>();
        if (day != null) {
            figures.put("date", day.toString());
        }
        List<Sent> plays = events.stream().filter(e -> e.action().equals("play")).toList();
        figures.put("plays", (long) plays.size());
        figures.put("players", plays.stream().map(Sent::user).distinct().count());
        figures.put("events", (long) events.size());
        figures.put("engagement_seconds", round4(events.stream().mapToDouble(e -> e.durationMs() / 1000.0).sum()));
        // SPEC §3: engagement_pct = round(engagement_seconds / length_seconds, 2); the report's mean has 4 places
        BigDecimal pcts = events.stream().map(e -> BigDecimal.valueOf(e.durationMs()).divide(BigDecimal.valueOf(1000L * lengthSeconds), 2,
                RoundingMode.HALF_UP)).reduce(BigDecimal.ZERO, BigDecimal::add);
        figures.put("avg_engagement_pct", events.isEmpty() ? null
                : pcts.divide(BigDecimal.valueOf(events.size()), 4, RoundingMode.HALF_UP).doubleValue());
        return figures;
    }

    /** A report's totals then days, each a map of its fields, decimals to 4 places as the expectations have them. */
    private static List<Map<String, Object>> figures(JsonNode report) {
        List<Map<String, Object>> rows = new ArrayList<>(List.of(row(report.path("totals"))));
        report.path("days").forEach(day -> rows.add(row(day)));
        return rows;
    }

    private static Map<String, Object> row(JsonNode node) {
        Map<String, Object> row = new LinkedHashMap<>();
        node.properties().forEach(field -> {
            JsonNode value = field.getValue();
            row.put(field.getKey(), value.isNull() ? null : value.isTextual() ? value.asText()
                    : value.isIntegralNumber() ? (Object) value.asLong() : (Object) round4(value.asDouble()));
        });
        return row;
    }

    private static double round4(double value) {
        return Math.round(value * 1e4) / 1e4;
    }
}
