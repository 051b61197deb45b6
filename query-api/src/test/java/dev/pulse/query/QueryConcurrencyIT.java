package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import dev.pulse.web.problem.Problem;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At most N queries of one app at once per instance: the next is a 429 with Retry-After; other apps are unaffected. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
@TestProfile(QueryConcurrencyIT.TwoAtOnce.class)
class QueryConcurrencyIT {
    private static final int MAX = 2;
    private static final LocalDate FIRST = LocalDate.of(2026, 7, 1);

    public static class TwoAtOnce implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the held queries wait on a lock for as long as the test needs, not for the statement timeout
            return Map.of("pulse.query.max-concurrent-per-app", String.valueOf(MAX), "pulse.query.statement-timeout-ms", "300000");
        }
    }

    private static String body(String app, String dimension) {
        return "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(4) + "\"]"
                + (dimension == null ? "" : ",\"dimensions\":[\"" + dimension + "\"]") + "}";
    }

    /** Sent on a connection of its own, so that held requests do not queue behind each other in the client. */
    private static CompletableFuture<HttpResponse<String>> send(String token, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(3));
        if (body != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long waitingOnTheEventRollup(Statement s) throws SQLException {
        try (ResultSet rows = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%fact_user_event_daily%'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void theQueryOverTheLimitIs429AndTheSlotsAreFreedOnceAnswered() throws Exception {
        String busy = TestData.newAppId();
        String busyToken = TestData.createApp(PulseInfrastructure.current().dataSource(), busy, "UTC");
        String quiet = TestData.newAppId();
        String quietToken = TestData.createApp(PulseInfrastructure.current().dataSource(), quiet, "UTC");
        QueryFixture data = new QueryFixture(busy, java.time.ZoneOffset.UTC, FIRST, 5, 9);
        long events = data.events.stream().filter(e -> e.event().equals("page_view")).count();

        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try (Connection lock = PulseInfrastructure.current().dataSource().getConnection(); Statement locking = lock.createStatement();
             Connection watch = PulseInfrastructure.current().dataSource().getConnection(); Statement watching = watch.createStatement()) {
            lock.setAutoCommit(false);
            locking.execute("LOCK TABLE fact_user_event_daily IN ACCESS EXCLUSIVE MODE");
            // event:name is read from the event-side rollup, which the lock holds
            for (int i = 0; i < MAX; i++) {
                held.add(send(busyToken, "/v1/query", body(busy, "event:name")));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingOnTheEventRollup(watching) == MAX);

            HttpResponse<String> refused = send(busyToken, "/v1/query", body(busy, "event:name")).get(60, TimeUnit.SECONDS);
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals(Problem.MEDIA_TYPE, refused.headers().firstValue("Content-Type").orElse(null));
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
            assertTrue(refused.body().contains("at most " + MAX + " queries"), refused.body());
            // the limit is the app's, whichever endpoint asks
            HttpResponse<String> quality = send(busyToken, "/v1/quality?app=" + busy + "&date=" + FIRST, null).get(60, TimeUnit.SECONDS);
            assertEquals(429, quality.statusCode(), quality.body());
            // another app is not held back (its question reads the rollup, which is not locked)
            assertEquals(200, send(quietToken, "/v1/query", body(quiet, null)).get(60, TimeUnit.SECONDS).statusCode());
            assertTrue(held.stream().noneMatch(CompletableFuture::isDone), "the held queries wait for the lock");
            lock.rollback();
        }
        for (CompletableFuture<HttpResponse<String>> future : held) {
            HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            JsonPath answer = new JsonPath(response.body());
            long pageViews = -1;
            for (int i = 0; i < answer.getList("results").size(); i++) {
                if ("page_view".equals(answer.getString("results[" + i + "].dimensions[0]"))) {
                    pageViews = answer.getLong("results[" + i + "].metrics[0]");
                }
            }
            assertEquals(events, pageViews);
        }
        // every slot was given back
        for (int i = 0; i <= MAX; i++) {
            assertEquals(200, send(busyToken, "/v1/query", body(busy, null)).get(60, TimeUnit.SECONDS).statusCode());
        }
    }
}
