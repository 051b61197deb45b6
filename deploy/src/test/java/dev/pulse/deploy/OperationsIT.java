package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.TestData;
import dev.pulse.deploy.local.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operating Pulse against the packaged services: user erasure end to end, and alerts and dashboards: the stack runs, the conditions the rules watch are produced
 * where a test can (accepted and refused events of an app, facts written), and every metric and label an alert
 * expression or a dashboard query names must be among what the four services' /q/metrics really serve.
 */
class OperationsIT {
    private static final String ADMIN = "monitoring-admin-token";
    private static final String[] SERVICES = {"ingest-service", "enrich-service", "aggregate-service", "query-api"};
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PulseClient API = new PulseClient();
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("pulse-operations-it");
        stack = Stack.start(new Stack.Options(data, ROOT, new int[7], null, null, null, ADMIN, 3));
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

    @Test
    void everyAlertAndDashboardQueryNamesServedMetricsAndLabels() throws Exception {
        String app = "mon-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode keys = API.post(url("ingest-service", "/v1/admin/apps"), ADMIN, "{\"app\":\"" + app + "\"}").body();
        String writeKey = keys.get("write_key").asText();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add("{\"event\":\"signup\",\"user_id\":\"u" + i + "\",\"event_id\":\"" + UUID.randomUUID() + "\"}");
        }
        assertEquals(202, API.post(url("ingest-service", "/v1/events"), writeKey, "[" + String.join(",", events) + "]").status());
        assertEquals(400, API.post(url("ingest-service", "/v1/events"), writeKey, "{\"event\":\"feed.view\",\"user_id\":\"u1\"}").status());
        String readToken = keys.get("read_token").asText();
        String query = "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"today\"}";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode body = API.post(url("query-api", "/v1/query"), readToken, query).body();
            return body != null && body.path("results").path(0).path("metrics").path(0).asInt() == events.size();
        });

        // an event the edge let through but enrich refuses (the app is unknown to it): enrich's rejection counter
        TestData.send(stack.bootstrapServers(), Topics.RAW, Topics.userKey("no-such-app", "u1"), "{\"app_id\":\"no-such-app\",\"received_at\":\""
                + java.time.Instant.now() + "\",\"clock_clamped\":false,\"event\":{\"event\":\"signup\",\"user_id\":\"u1\",\"event_id\":\""
                + UUID.randomUUID() + "\"}}");
        java.util.concurrent.atomic.AtomicReference<ServedMetrics> scraped = new java.util.concurrent.atomic.AtomicReference<>();
        // per-partition consumer metrics are bound by Micrometer's Kafka binder on its next refresh (a minute)
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            scraped.set(scrapeAll());
            for (String service : SERVICES) {
                assertEquals(List.of("1.0"), scraped.get().values("pulse_ready", Map.of("job", service)), service + " reports itself ready");
            }
            assertEquals(List.of("1.0"), scraped.get().values("pulse_enrich_events_invalid_total", Map.of("app", "no-such-app")));
            assertTrue(scraped.get().values("kafka_consumer_fetch_manager_records_lag", Map.of("topic", Topics.RAW)).size() > 0,
                    "enrich's lag per partition of events.raw");
            assertTrue(scraped.get().values("kafka_consumer_fetch_manager_records_lag", Map.of("topic", Topics.ENRICHED)).size() > 0,
                    "aggregate's lag per partition of events.enriched");
        });
        ServedMetrics served = scraped.get();
        Path out = ROOT.resolve("deploy/target/served-metrics.txt");
        Files.writeString(out, served.describe());

        // the conditions produced above are visible with the labels the alerts group by
        assertEquals(List.of("20.0"), served.values("pulse_ingest_events_accepted_total", Map.of("app", app)));
        assertEquals(List.of("1.0"), served.values("pulse_ingest_events_rejected_total", Map.of("app", app)));

        List<String> problems = new ArrayList<>();
        for (JsonNode group : YAML.readTree(ROOT.resolve("deploy/monitoring/pulse-rules.yaml").toFile()).get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                problems.addAll(served.problems("alert " + rule.get("alert").asText(), rule.get("expr").asText()));
            }
        }
        Dashboards.queries(ROOT).forEach((panel, expression) -> problems.addAll(served.problems(panel, expression)));
        assertEquals(List.of(), problems, "served metrics are in " + out);
    }

    /** Erasure end to end, through the public APIs only: afterwards no endpoint answers anything of the user. */
    @Test
    void anErasedUserIsGoneFromEveryEndpointAndOtherUsersAreUnchanged() {
        String app = "era-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode keys = API.post(url("ingest-service", "/v1/admin/apps"), ADMIN, "{\"app\":\"" + app + "\"}").body();
        String writeKey = keys.get("write_key").asText();
        String readToken = keys.get("read_token").asText();
        List<String> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add("{\"event\":\"signup\",\"user_id\":\"a" + i + "\",\"event_id\":\"" + UUID.randomUUID() + "\",\"user\":{\"country\":\"DE\"}}");
            events.add("{\"event\":\"message.sent\",\"user_id\":\"a" + i + "\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"properties\":{\"receiver_id\":\"victim\"}}");
        }
        for (int i = 0; i < 3; i++) {
            events.add("{\"event\":\"feed.view\",\"user_id\":\"victim\",\"event_id\":\"" + UUID.randomUUID()
                    + "\",\"properties\":{\"post_id\":" + i + "},\"user\":{\"country\":\"FR\"}}");
        }
        assertEquals(202, API.post(url("ingest-service", "/v1/events"), writeKey, "[" + String.join(",", events) + "]").status());
        String query = "{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":\"today\"}";
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode body = API.post(url("query-api", "/v1/query"), readToken, query).body();
            return body != null && body.path("results").path(0).path("metrics").path(1).asInt() == events.size();
        });
        String user = url("query-api", "/v1/users/%s?app=" + app);
        assertEquals(200, API.get(user.formatted("victim"), readToken).status());
        JsonNode otherBefore = API.get(user.formatted("a2"), readToken).body();
        await().atMost(Duration.ofSeconds(30)).until(() -> API.get(url("query-api", "/v1/realtime?app=" + app + "&minutes=30"), readToken)
                .body().get("active_users").asInt() == 6);

        PulseClient.Reply accepted = API.delete(url("ingest-service", "/v1/admin/apps/" + app + "/users/victim"), ADMIN);
        assertEquals(202, accepted.status(), String.valueOf(accepted.body()));
        String status = url("ingest-service", "/v1/admin/apps/" + app + "/erasures/" + accepted.body().get("erasure_id").asText());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> API.get(status, ADMIN).body().get("status").asText().equals("completed"));
        JsonNode parts = API.get(status, ADMIN).body().get("services");
        assertEquals(3, parts.at("/aggregate-service/deleted_rows/events").asInt());
        assertEquals(5, parts.at("/aggregate-service/deleted_rows/events_naming_user_as_receiver").asInt());
        assertEquals(1, parts.at("/enrich-service/deleted_rows/dim_users").asInt());

        assertEquals(404, API.get(user.formatted("victim"), readToken).status());
        JsonNode totals = API.post(url("query-api", "/v1/query"), readToken, query).body().get("results").get(0).get("metrics");
        assertEquals(5, totals.get(0).asInt(), "active users without the erased one");
        assertEquals(events.size() - 3, totals.get(1).asInt(), "events without the erased user's");
        String byCountry = "{\"app\":\"" + app + "\",\"metrics\":[\"active_users\"],\"date_range\":\"today\",\"dimensions\":[\"user:country\"]}";
        JsonNode countries = API.post(url("query-api", "/v1/query"), readToken, byCountry).body().get("results");
        assertEquals(1, countries.size(), "no breakdown row is left of the erased user's traits: " + countries);
        // a2's message to the victim still counts, but names the erasure's pseudonym instead of the erased id
        String pseudonym = "erased-" + accepted.body().get("erasure_id").asText();
        String expectedOther = otherBefore.toString().replace("\"user_id\":\"victim\"", "\"user_id\":\"" + pseudonym + "\"");
        JsonNode otherAfter = API.get(user.formatted("a2"), readToken).body();
        assertTrue(expectedOther.contains(pseudonym), "a2's connection to the victim was in the answer before: " + otherBefore);
        assertEquals(expectedOther, otherAfter.toString(), "another user's figures are unchanged");
        assertEquals(5, API.get(url("query-api", "/v1/realtime?app=" + app + "&minutes=30"), readToken).body().get("active_users").asInt());
    }

    private static ServedMetrics scrapeAll() throws IOException, InterruptedException {
        ServedMetrics served = new ServedMetrics();
        for (String service : SERVICES) {
            served.scrape(service, url(service, ""));
        }
        return served;
    }
}
