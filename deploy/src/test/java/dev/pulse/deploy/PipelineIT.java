package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficGenerator;
import dev.pulse.deploy.faults.DailyMetricsCheck;
import dev.pulse.deploy.local.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The walking skeleton, end to end: the four packaged services on a real Kafka, PostgreSQL and Redis, driven
 * over HTTP only, nothing mocked.
 */
class PipelineIT {
    private static final String ADMIN = "pipeline-admin-token";
    private static final PulseClient HTTP = new PulseClient();
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("pulse-pipeline-it");
        stack = Stack.start(new Stack.Options(data, Path.of("..").toAbsolutePath().normalize(), new int[7], null, null, null, ADMIN, 3));
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
    }
}
