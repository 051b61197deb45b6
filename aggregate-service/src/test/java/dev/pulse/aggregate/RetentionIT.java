package dev.pulse.aggregate;

import dev.pulse.aggregate.service.DailyCloseJob;
import dev.pulse.aggregate.service.RetentionJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-app retention with a short retention: what is older goes, what is newer and the aggregates without user ids stay. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class RetentionIT {
    private static final int DAYS = 2;
    /** Tables without user ids that retention keeps whole. */
    private static final Set<String> KEPT = Set.of("fact_daily_posts", "fact_content_engagement_daily", "host_activity_reduced",
            "hosts_cumulated", "quality_daily");
    private static final Pattern DATE = Pattern.compile("event_date=\"(\\d{4}-\\d{2}-\\d{2})\"");

    @Inject
    RetentionJob retention;

    @Inject
    DailyCloseJob dailyClose;

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    @Test
    void aShortRetentionDeletesOldEventsInvalidRecordsAndPerUserRowsOnly() throws Exception {
        String app = TestData.newAppId();
        String other = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        TestData.createApp(infra().dataSource(), other, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate cutoff = today.minusDays(DAYS);
        Random random = new Random(3);
        List<EnrichedEvent> events = new ArrayList<>();
        for (String target : List.of(app, other)) {
            for (int i = 0; i < 300; i++) {
                LocalDate day = today.minusDays(random.nextInt(6));
                events.add(AggregationIT.event(target, random, day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextInt(43_200)),
                        "u" + random.nextInt(6)));
            }
            // a user seen only before the cutoff
            events.add(AggregationIT.event(target, random, today.minusDays(5).atStartOfDay(ZoneOffset.UTC).toInstant(), "gone"));
        }
        Map<String, List<String>> byKey = new TreeMap<>();
        for (EnrichedEvent e : events) {
            byKey.computeIfAbsent(Topics.userKey(e.appId(), e.userId()), k -> new ArrayList<>()).add(AggregationIT.MAPPER.writeValueAsString(e));
        }
        byKey.forEach((key, values) -> TestData.send(infra().bootstrapServers(), Topics.ENRICHED, key, values.toArray(String[]::new)));
        Instant oldRejection = cutoff.atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1);
        Instant newRejection = cutoff.atStartOfDay(ZoneOffset.UTC).toInstant();
        for (Instant at : List.of(oldRejection, newRejection)) {
            TestData.send(infra().bootstrapServers(), Topics.INVALID, app, AggregationIT.MAPPER.writeValueAsString(
                    new InvalidEvent(app, "missing_field", "user_id is required", "{}", Topics.RAW, 0, TestData.newOffset(), at)));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id IN ('" + app + "', '" + other + "')") == events.size()
                && queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 2);
        List<String> before = facts(app);
        List<String> otherBefore = facts(other);
        execute("UPDATE apps SET retention_days = " + DAYS + ", created_at = now() - interval '6 days' WHERE app_id = '" + app + "'");

        long version = closedDayVersion(app);
        List<RetentionJob.Enforced> runs = retention.enforce(Instant.now()).await().atMost(Duration.ofSeconds(60))
                .stream().filter(r -> r.due().appId().equals(app)).toList();
        assertEquals(1, runs.size());
        assertEquals(cutoff, runs.get(0).due().cutoff());
        assertEquals(version + 1, closedDayVersion(app), "query-api's cached answers of closed days (per-user partials too) are dropped");

        List<EnrichedEvent> kept = events.stream().filter(e -> e.appId().equals(app) && !e.eventDate().isBefore(cutoff)).toList();
        assertEquals(kept.size(), queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'"), "raw events from the cutoff on stay");
        assertEquals(0L, queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "' AND event_date < '" + cutoff + "'"));
        assertEquals(newRejection.toString(), queryString("SELECT to_char(rejected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM invalid_events WHERE app_id = '" + app + "'"),
                "only the invalid record from the cutoff on stays");

        List<String> after = facts(app);
        try (Connection c = infra().dataSource().getConnection()) {
            assertEquals(0L, FactTables.eventTimesDifferences(c, app), "the funnels' event times are the kept raw events'");
        }
        assertEquals(expectedAfter(before, cutoff), after.stream().filter(r -> !r.startsWith("user_devices_cumulated ") && !r.startsWith("user_event_times ")).toList(),
                "per-user rows before the cutoff are gone, the rest and the aggregates without user ids are unchanged");
        Map<String, Set<LocalDate>> devices = new TreeMap<>();
        kept.forEach(e -> devices.computeIfAbsent(e.userId() + "|" + orUnknown(e.device()) + "|" + orUnknown(e.browser()), k -> new TreeSet<>())
                .add(e.eventDate()));
        assertEquals(devices.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, d -> d.getValue().toString())),
                rows("SELECT user_id || '|' || device || '|' || browser, array_to_string(dates_active, ', ') FROM user_devices_cumulated WHERE app_id = '" + app + "'")
                        .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, d -> "[" + d.getValue() + "]")),
                "active-date lists keep the days from the cutoff on");
        assertEquals(0L, queryLong("SELECT count(*) FROM user_first_seen WHERE app_id = '" + app + "' AND user_id = 'gone'"));
        assertEquals(otherBefore, facts(other), "an app without retention keeps everything");

        String rowVersions = "SELECT string_agg(user_id || event || week_start || ':' || xmin, ',' ORDER BY user_id, event, week_start)"
                + " FROM user_event_times WHERE app_id = '" + app + "'";
        String versions = queryString(rowVersions);
        assertTrue(retention.enforce(Instant.now()).await().atMost(Duration.ofSeconds(60)).stream().filter(r -> r.due().appId().equals(app))
                .allMatch(r -> r.deleted().values().stream().allMatch(n -> n == 0)), "a second run finds nothing to delete");
        assertEquals(versions, queryString(rowVersions), "a second run rewrites no row of the funnels' state (retention runs hourly)");
        assertEquals(version + 1, closedDayVersion(app), "a run that deleted nothing leaves the cache alone");

        List<DailyCloseJob.Closed> closed = dailyClose.closeDaysEndedBy(Instant.now()).await().atMost(Duration.ofSeconds(60))
                .stream().filter(c -> c.day().appId().equals(app)).toList();
        assertEquals(new TreeSet<>(List.of(cutoff, today.minusDays(1))), closed.stream().map(c -> c.day().date()).collect(Collectors.toCollection(TreeSet::new)),
                "the close leaves days past retention alone");
        assertTrue(closed.stream().noneMatch(DailyCloseJob.Closed::repaired));
        assertEquals(after, facts(app), "closing changed nothing");

        // an operator's recompute reaching past retention would rebuild emptied days and wipe the aggregates kept
        io.restassured.RestAssured.given().header("Authorization", "Bearer test-admin-token").contentType("application/json")
                .body("{\"app\":\"" + app + "\",\"from\":\"" + cutoff.minusDays(1) + "\",\"to\":\"" + today + "\"}")
                .when().post("/v1/admin/recompute").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("from"));
        assertEquals(after, facts(app), "a refused recompute changed nothing");
        io.restassured.RestAssured.given().header("Authorization", "Bearer test-admin-token").contentType("application/json")
                .body("{\"app\":\"" + app + "\",\"from\":\"" + cutoff + "\",\"to\":\"" + cutoff + "\"}")
                .when().post("/v1/admin/recompute").then().statusCode(200)
                .body("events_replayed", org.hamcrest.Matchers.equalTo((int) kept.stream().filter(e -> e.eventDate().equals(cutoff)).count()));
    }

    /** Rows before the cutoff in per-user tables go; first-seen rows go for users with no day left. */
    private static List<String> expectedAfter(List<String> before, LocalDate cutoff) {
        Set<String> remainingUsers = before.stream().filter(r -> r.startsWith("fact_user_daily ") && !dateOf(r).isBefore(cutoff))
                .map(r -> r.replaceAll(".*user_id=(\"[^\"]*\").*", "$1")).collect(Collectors.toSet());
        return before.stream().filter(r -> !r.startsWith("user_devices_cumulated ") && !r.startsWith("user_event_times ")).filter(r -> {
            String table = r.substring(0, r.indexOf(' '));
            if (KEPT.contains(table)) {
                return true;
            }
            if (table.equals("user_first_seen")) {
                return remainingUsers.contains(r.replaceAll(".*user_id=(\"[^\"]*\").*", "$1"));
            }
            return !dateOf(r).isBefore(cutoff);
        }).toList();
    }

    private static LocalDate dateOf(String row) {
        Matcher m = DATE.matcher(row);
        if (!m.find()) {
            throw new IllegalStateException("no event_date in " + row);
        }
        return LocalDate.parse(m.group(1));
    }

    private static String orUnknown(String value) {
        return value == null ? "unknown" : value;
    }

    private static List<String> facts(String app) throws SQLException {
        try (Connection c = infra().dataSource().getConnection()) {
            return FactTables.snapshot(c, app);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Map<String, String> rows(String sql) throws SQLException {
        Map<String, String> rows = new TreeMap<>();
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    private static long closedDayVersion(String app) {
        return queryLong("SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'), 0)");
    }

    private static long queryLong(String sql) {
        return Long.parseLong(queryString(sql));
    }

    private static String queryString(String sql) {
        try (Connection c = infra().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
