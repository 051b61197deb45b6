package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group cap and the statement timeout, set low: a too big question is a 400 that says how to narrow it. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
@TestProfile(QueryBoundsIT.Tight.class)
class QueryBoundsIT {
    private static final int MAX_ROWS = 100;
    private static final int TIMEOUT_MS = 1000;
    private static final ZoneId ZONE = ZoneId.of("Asia/Tokyo");
    private static final LocalDate FIRST = LocalDate.of(2026, 6, 1);
    private static final int DAYS = 10;
    private static String app;
    private static String token;
    private static QueryFixture data;

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // no lock_timeout: a locked table stands in for a slow statement here (LockedTablesIT has the lock timeout)
            return Map.of("pulse.query.max-rows", String.valueOf(MAX_ROWS), "pulse.query.statement-timeout-ms", String.valueOf(TIMEOUT_MS),
                    "pulse.query.lock-timeout-ms", "0");
        }
    }

    @BeforeAll
    static void load() {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        data = new QueryFixture(app, ZONE, FIRST, DAYS, 3);
    }

    private static Response query(String appId, String readToken, String rest) {
        return given().header("Authorization", "Bearer " + readToken).contentType(ContentType.JSON)
                .body("{\"app\":\"" + appId + "\"," + rest + "}").when().post("/v1/query");
    }

    private static String range(LocalDate from, LocalDate to) {
        return "\"date_range\":[\"" + from + "\",\"" + to + "\"]";
    }

    private static void assertTooBig(Response response, String field, String... mentions) {
        assertEquals(400, response.statusCode(), response.asString());
        assertTrue(response.contentType().startsWith("application/problem+json"));
        assertEquals(field, response.jsonPath().getString("field"));
        String detail = response.jsonPath().getString("detail");
        for (String mention : mentions) {
            assertTrue(detail.contains(mention), detail);
        }
    }

    @Test
    void aBreakdownOverTheCapIsA400ThatSaysHowToNarrowIt() {
        LocalDate last = FIRST.plusDays(DAYS - 1);
        Set<List<Object>> groups = new HashSet<>();
        Set<String> devices = new HashSet<>();
        data.events.stream().filter(e -> !e.date().isAfter(last)).forEach(e -> {
            groups.add(List.of(e.date(), e.event(), e.device()));
            devices.add(e.device());
        });
        assertTrue(groups.size() > MAX_ROWS, "the fixture has " + groups.size() + " groups");
        assertTooBig(query(app, token, "\"metrics\":[\"events\"]," + range(FIRST, last) + ",\"dimensions\":[\"time:day\",\"event:name\",\"device\"]"),
                "dimensions", String.valueOf(MAX_ROWS), "narrow");
        // fewer dimensions: every (day, device) present
        JsonPath narrower = query(app, token, "\"metrics\":[\"events\"]," + range(FIRST, last) + ",\"dimensions\":[\"time:day\",\"device\"]")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(DAYS * devices.size(), narrower.getInt("meta.total_rows"));
    }

    /** A funnel read from the state counts its users against the cap too: one more than it is a 400, the cap answers. */
    @Test
    void aFunnelOfMoreUsersThanTheCapIsA400() throws SQLException {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, "UTC");
        long noon = FIRST.atTime(12, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000;
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO user_event_times (app_id, week_start, event, user_id, times, first_micros, last_micros) SELECT '" + other
                    + "', date_trunc('week', date '" + FIRST + "')::date, 'signup', 'u' || g, user_event_times_encode(ARRAY[" + noon + "::bigint]), "
                    + noon + ", " + noon + " FROM generate_series(1, " + (MAX_ROWS + 1) + ") AS g");
            String funnel = "{\"app\":\"" + other + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"purchase\"}]," + range(FIRST, FIRST) + "}";
            assertTooBig(given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON).body(funnel).when().post("/v1/funnel"),
                    "date_range", String.valueOf(MAX_ROWS), "narrow");
            s.execute("DELETE FROM user_event_times WHERE app_id = '" + other + "' AND user_id = 'u1'");
            given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON).body(funnel).when().post("/v1/funnel")
                    .then().statusCode(200).body("results[0].steps[0].users", org.hamcrest.Matchers.equalTo(MAX_ROWS));
        }
    }

    @Test
    void timeBucketsFilledInCountTowardTheCap() {
        LocalDate last = FIRST.plusDays(199);
        Set<List<Object>> read = new HashSet<>();
        Set<Long> posts = new HashSet<>();
        data.events.forEach(e -> {
            read.add(java.util.Arrays.asList(e.date(), e.postId()));
            posts.add(e.postId());
        });
        assertTrue(read.size() <= MAX_ROWS && posts.size() * 200 > MAX_ROWS, read.size() + " rows read, " + posts.size() + " posts");
        assertTooBig(query(app, token, "\"metrics\":[\"events\"]," + range(FIRST, last) + ",\"dimensions\":[\"time:day\",\"post:id\"]"),
                "dimensions", String.valueOf(MAX_ROWS));
    }

    /**
     * More (group, user) pairs than the cap on the closed days of a range that reaches into today: instead of the
     * cached per-user partials, PostgreSQL sums the range per group, and the answer is still exact.
     */
    @Test
    void userCountsOverMoreUsersThanTheCapAreSummedPerGroup() throws SQLException {
        String big = TestData.newAppId();
        String bigToken = TestData.createApp(PulseInfrastructure.current().dataSource(), big, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        // day A: users 1..150, today: users 101..160 (the closed days always include A, whatever the hour)
        Map<String, Set<Integer>> users = new TreeMap<>();
        Map<String, Long> events = new TreeMap<>();
        int[][] days = {{1, 150}, {101, 160}};
        LocalDate[] dates = {today.minusDays(3), today};
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO fact_user_daily (app_id, event_date, user_id, country, events, views, likes, messages, signups, purchases,
                         revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
                     SELECT ?, ?, 'u' || g, CASE WHEN g % 3 = 0 THEN 'FR' ELSE 'DE' END, g % 5 + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                     FROM generate_series(?, ?) AS g""")) {
            for (int d = 0; d < days.length; d++) {
                insert.setString(1, big);
                insert.setObject(2, dates[d]);
                insert.setInt(3, days[d][0]);
                insert.setInt(4, days[d][1]);
                insert.executeUpdate();
                for (int g = days[d][0]; g <= days[d][1]; g++) {
                    String country = g % 3 == 0 ? "FR" : "DE";
                    users.computeIfAbsent(country, k -> new HashSet<>()).add(g);
                    events.merge(country, (long) (g % 5 + 1), Long::sum);
                }
            }
        }
        JsonPath answer = query(big, bigToken, "\"metrics\":[\"active_users\",\"events\"],\"date_range\":\"7d\",\"dimensions\":[\"user:country\"],"
                + "\"order_by\":[[\"user:country\",\"asc\"]]").then().statusCode(200).extract().jsonPath();
        int i = 0;
        for (String country : users.keySet()) {
            assertEquals(country, answer.getString("results[" + i + "].dimensions[0]"));
            assertEquals(users.get(country).size(), answer.getInt("results[" + i + "].metrics[0]"), "active_users " + country);
            assertEquals(events.get(country), answer.getLong("results[" + i + "].metrics[1]"), "events " + country);
            i++;
        }
        assertEquals(users.size(), answer.getList("results").size());
        // over closed days only, the totals come from PostgreSQL per group as well
        JsonPath closed = query(big, bigToken, "\"metrics\":[\"active_users\"]," + range(dates[0], dates[0])).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(days[0][1] - days[0][0] + 1, closed.getInt("results[0].metrics[0]"));
    }

    /** A statement that runs past the timeout (here: waiting on a lock a migration could hold) is cancelled by PostgreSQL. */
    @Test
    void aQueryPastTheStatementTimeoutIsA400() throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE fact_user_daily IN ACCESS EXCLUSIVE MODE");
            long start = System.nanoTime();
            Response response = query(app, token, "\"metrics\":[\"signups\"]," + range(FIRST, FIRST.plusDays(3)) + ",\"dimensions\":[\"user:country\"]");
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            c.rollback();
            assertTooBig(response, null, TIMEOUT_MS + " ms", "narrow");
            assertTrue(elapsedMs >= TIMEOUT_MS, "answered after " + elapsedMs + " ms");
        }
        // the same question, unblocked, is answered: the cancelled statement left its connection usable
        Map<String, Long> signups = new HashMap<>();
        data.events.stream().filter(e -> !e.date().isAfter(FIRST.plusDays(3)))
                .forEach(e -> signups.merge(String.valueOf(e.country()), e.event().equals("signup") ? 1L : 0L, Long::sum));
        JsonPath answer = query(app, token, "\"metrics\":[\"signups\"]," + range(FIRST, FIRST.plusDays(3)) + ",\"dimensions\":[\"user:country\"]")
                .then().statusCode(200).extract().jsonPath();
        Map<String, Long> actual = new HashMap<>();
        for (int i = 0; i < answer.getList("results").size(); i++) {
            actual.put(String.valueOf(answer.getString("results[" + i + "].dimensions[0]")), answer.getLong("results[" + i + "].metrics[0]"));
        }
        assertEquals(signups, actual);
    }
}
