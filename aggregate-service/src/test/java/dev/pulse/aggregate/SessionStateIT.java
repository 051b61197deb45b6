package dev.pulse.aggregate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.aggregate.repository.SessionRepository;
import dev.pulse.aggregate.service.SessionRebuildJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.Topics;
import dev.pulse.contract.UserTraits;
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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sessions aggregate-service keeps per rollup row, through Kafka, against sessions worked out here: late events
 * that join two sessions (one exactly at the timeout) or come before a session's first event with other traits
 * (the session moves to their row) or fall into the repeated hour of a DST change, a session_id held across a long
 * gap, and a timeout change rebuilt by the job.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class SessionStateIT {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");

    @Inject
    SessionRebuildJob rebuild;

    @Inject
    SessionRepository sessions;

    private final Random random = new Random(18);

    private EnrichedEvent event(String app, String user, LocalDate day, int hour, int minute, String sessionId, int gender, boolean late) {
        return event(app, user, day, day.atTime(hour, minute).atZone(ZONE).toInstant(), sessionId, gender, late);
    }

    private EnrichedEvent event(String app, String user, LocalDate day, Instant ts, String sessionId, int gender, boolean late) {
        EnrichedEvent e = AggregationIT.event(app, random, ts, user);
        UserTraits t = e.user();
        return new EnrichedEvent(app, e.eventId(), e.event(), e.category(), user, ts, day, ts, false, late, sessionId, e.properties(),
                e.postId(), e.receiverId(), e.contentId(), e.action(), e.durationMs(), e.revenue(), e.currency(),
                new UserTraits(gender, t.age(), t.os(), t.source(), t.country(), t.city(), t.expGroup()), e.device(), e.os(), e.browser(),
                e.host(), e.url(), e.referrer(), e.contentTitle(), e.contentType(), e.lengthSeconds(), e.engagementSeconds(), e.engagementPct());
    }

    @Test
    void lateEventsJoinAndMoveSessionsAndATimeoutChangeIsRebuilt() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        // the day New York's clocks go back: 01:00-02:00 happens twice
        LocalDate day = LocalDate.of(2026, 11, 1);
        Instant secondOneOClock = day.atTime(1, 0).atZone(ZONE).withLaterOffsetAtOverlap().toInstant();
        List<EnrichedEvent> events = new ArrayList<>(List.of(
                event(app, "s", day, 10, 0, null, 0, false),
                event(app, "s", day, 10, 20, null, 0, false),
                event(app, "s", day, 11, 15, null, 0, false),
                event(app, "s", day, 13, 0, null, 1, false),
                event(app, "s", day, 15, 0, "x", 0, false),
                event(app, "s", day, 18, 0, "x", 0, false),
                event(app, "t", day, 23, 50, null, 0, false),
                event(app, "t", day.plusDays(1), 0, 5, null, 0, false),
                // 01:30 summer time, then 01:10 winter time: 40 minutes later, though it reads earlier
                event(app, "d", day, secondOneOClock.minusSeconds(30 * 60), null, 0, false),
                event(app, "d", day, secondOneOClock.plusSeconds(10 * 60), null, 0, false)));
        send(app, events);
        assertEquals(KeptSessions.of(events, 1800), kept(app));
        assertEquals(4, sessions(app, "s"), "10:00-10:20, 11:15, 13:00 and the session_id x over three hours");
        assertEquals(2, sessions(app, "t"), "a session ends at midnight");
        assertEquals(2, sessions(app, "d"), "40 minutes apart across the repeated hour");

        // 10:20 → 10:45 → 11:15: gaps of 25 and exactly 30 minutes, so the two sessions become one
        EnrichedEvent joining = event(app, "s", day, 10, 45, null, 0, true);
        // before the first session's first event, with other traits: that session now counts on their row
        EnrichedEvent earlier = event(app, "s", day, 9, 40, null, 1, true);
        // 01:50 summer time: 20 minutes after d's first event and before the second
        EnrichedEvent between = event(app, "d", day, secondOneOClock.minusSeconds(10 * 60), null, 0, true);
        for (EnrichedEvent late : List.of(joining, earlier, between)) {
            events.add(late);
            send(app, List.of(late));
            assertEquals(KeptSessions.of(events, 1800), kept(app), "after the late event at " + late.timestamp());
        }
        assertEquals(3, sessions(app, "s"), "two sessions joined");
        assertEquals(1, sessions(app, "d"), "and d's two across the repeated hour");

        // a shorter timeout: the job rebuilds the app's sessions with it and tells query-api's cache, per day rewritten
        long version = queryLong("SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'), 0)");
        String dayVersion = "SELECT coalesce((SELECT version FROM closed_day_changes WHERE app_id = '" + app + "' AND event_date = '" + day + "'), 0)";
        long dayBefore = queryLong(dayVersion);
        // as ingest-service's PUT /v1/admin/apps/{app}/sessions does
        execute("UPDATE apps SET session_timeout_seconds = 600, session_timeout_version = session_timeout_version + 1 WHERE app_id = '" + app + "'");
        assertEquals(KeptSessions.of(events, 1800), kept(app), "kept with the old timeout until rebuilt");
        assertTrue(rebuild.rebuildOutdatedApps().await().atMost(Duration.ofSeconds(60)).contains(app));
        assertEquals(KeptSessions.of(events, 600), kept(app));
        assertNotEquals(KeptSessions.of(events, 600), KeptSessions.of(events, 1800), "the timeout matters to these events");
        assertEquals(1L, queryLong("SELECT timeout_version FROM app_sessions WHERE app_id = '" + app + "'"));
        assertEquals(dayBefore + 1, queryLong(dayVersion), "the rewritten day, bumped with its rewrite");
        assertEquals(version, queryLong("SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'), 0)"),
                "the app's other days are as they were");
        assertTrue(rebuild.rebuildOutdatedApps().await().atMost(Duration.ofSeconds(60)).stream().noneMatch(app::equals), "rebuilt once");

        // batches after the change keep the new timeout
        EnrichedEvent after = event(app, "s", day, 13, 8, null, 1, true);
        events.add(after);
        send(app, List.of(after));
        assertEquals(KeptSessions.of(events, 600), kept(app));
    }

    @Test
    void aNewAppsSessionsKeptFromItsFirstBatchAreRecordedWithoutMovingItsVersion() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        LocalDate day = LocalDate.of(2026, 11, 2);
        send(app, List.of(event(app, "s", day, 10, 0, null, 0, false), event(app, "s", day, 10, 40, null, 0, false),
                event(app, "t", day, 12, 0, "x", 1, false)));
        long version = queryLong("SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'), 0)");
        assertTrue(rebuild.rebuildOutdatedApps().await().atMost(Duration.ofSeconds(60)).contains(app));
        assertEquals(0L, queryLong("SELECT timeout_version FROM app_sessions WHERE app_id = '" + app + "'"), "recorded");
        // no day differed: the day state and the cached answers of its days stay valid (query-api keys them by the timeout)
        assertEquals(version, queryLong("SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = '" + app + "'), 0)"));
    }

    @Test
    void aSessionGrownByABatchOfOtherTraitsOnlyGrowsOnTheRowOfItsFirstEvent() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        LocalDate day = LocalDate.of(2026, 6, 11);
        List<EnrichedEvent> events = new ArrayList<>(List.of(event(app, "g", day, 10, 0, null, 0, false)));
        send(app, events);
        // ten minutes on, with other traits, alone in its batch: the session's change goes to a row the batch has no event of
        EnrichedEvent later = event(app, "g", day, 10, 10, null, 1, false);
        events.add(later);
        send(app, List.of(later));
        assertEquals(KeptSessions.of(events, 1800), kept(app));
        String row = "SELECT events || '/' || sessions || '/' || bounces || '/' || session_seconds::float8 FROM fact_user_daily WHERE app_id = '"
                + app + "' AND gender = ";
        assertEquals("1/1/0/600", Stored.queryString(row + 0), "the session, no longer a bounce, on its first event's row");
        assertEquals("1/0/0/0", Stored.queryString(row + 1));
        assertEquals(2L, queryLong("SELECT count(*) FROM fact_user_daily WHERE app_id = '" + app + "'"));
    }

    @Test
    void sessionsKeptFromTheirEndsMatchTheEventsAndTheEndsARecompute() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        LocalDate day = LocalDate.of(2026, 6, 10);
        Instant start = day.atStartOfDay(ZONE).toInstant();
        List<EnrichedEvent> events = new ArrayList<>();
        for (int batch = 0; batch < 6; batch++) {
            List<EnrichedEvent> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // mostly on from the batch before, now and then hours back; gaps around the 30-minute timeout
                long minutes = random.nextInt(10) == 0 ? random.nextInt(batch * 60 + 1) : batch * 60L + random.nextInt(70);
                Instant at = start.plus(Duration.ofMinutes(minutes)).plusNanos(random.nextInt(1_000_000) * 1000L);
                String sessionId = random.nextInt(4) == 0 ? "s" + random.nextInt(2) : null;
                sent.add(event(app, "u" + random.nextInt(5), day, at, sessionId, random.nextInt(2), false));
            }
            events.addAll(sent);
            send(app, sent);
            assertEquals(KeptSessions.of(events, 1800), kept(app), "after batch " + batch);
            assertEquals(recomputedEnds(app), ends(app), "after batch " + batch);
            // a session's change on a row of other traits than the batch's events is written by the rollup's upsert: to the
            // row its first event made, never a new one
            assertEquals(0L, queryLong("SELECT count(*) FROM fact_user_daily WHERE app_id = '" + app + "' AND events = 0"), "after batch " + batch);
        }
        assertTrue(queryLong("SELECT count(*) FROM user_day_session_ends WHERE app_id = '" + app + "' AND session_id IS NOT NULL") > 0);

        // a new app's sessions were kept with its timeout from its first batch: the job records that without rewriting a day
        List<String> versions = rows("SELECT xmin::text FROM user_day_session_ends WHERE app_id = '" + app + "' ORDER BY 1");
        assertTrue(rebuild.rebuildOutdatedApps().await().atMost(Duration.ofSeconds(60)).contains(app));
        assertEquals(0L, queryLong("SELECT timeout_version FROM app_sessions WHERE app_id = '" + app + "'"));
        assertEquals(versions, rows("SELECT xmin::text FROM user_day_session_ends WHERE app_id = '" + app + "' ORDER BY 1"),
                "the ends were not rewritten");
        assertEquals(KeptSessions.of(events, 1800), kept(app));

        // the ends of past days dropped (PartitionMaintenanceJob): the next events of the day recompute their user-days
        sessions.forgetEndsBefore(day.plusDays(1), 7).await().atMost(Duration.ofSeconds(30));
        assertEquals(0L, queryLong("SELECT count(*) FROM user_day_session_ends WHERE app_id = '" + app + "'"));
        List<EnrichedEvent> after = List.of(event(app, "u0", day, start.plus(Duration.ofHours(7)), null, 0, false),
                event(app, "u1", day, start.plus(Duration.ofHours(7)), "s0", 1, false));
        events.addAll(after);
        send(app, after);
        assertEquals(KeptSessions.of(events, 1800), kept(app), "after the ends were dropped");
        // kept again for the two user-days with new events only; the next ones go from those ends
        List<EnrichedEvent> later = List.of(event(app, "u0", day, start.plus(Duration.ofHours(7)).plusSeconds(90), null, 1, false),
                event(app, "u1", day, start.plus(Duration.ofHours(6)), "s0", 0, false));
        events.addAll(later);
        send(app, later);
        assertEquals(KeptSessions.of(events, 1800), kept(app), "after the ends were dropped and kept again");
        assertEquals(recomputedEnds(app).stream().filter(SessionStateIT::ofUserZeroOrOne).toList(), ends(app));
        assertTrue(ends(app).stream().anyMatch(row -> row.contains("\"user_id\":\"u0\"")));
    }

    private static List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static boolean ofUserZeroOrOne(String endRow) {
        return endRow.contains("\"user_id\":\"u0\"") || endRow.contains("\"user_id\":\"u1\"");
    }

    private static List<String> ends(String app) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            return ends(c, app);
        }
    }

    /** The ends user_day_session_ends_write makes of every user-day of the app from its stored events, rolled back. */
    private static List<String> recomputedEnds(String app) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT user_day_session_ends_write('" + app + "', array_agg(user_id), array_agg(event_date))"
                    + " FROM (SELECT DISTINCT user_id, event_date FROM events WHERE app_id = '" + app + "') d");
            List<String> ends = ends(c, app);
            c.rollback();
            return ends;
        }
    }

    private static List<String> ends(Connection c, String app) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT row_to_json(e)::text FROM user_day_session_ends e"
                + " WHERE app_id = '" + app + "' ORDER BY event_date, user_id, session_id")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private void send(String app, List<EnrichedEvent> batch) throws Exception {
        long expected = queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") + batch.size();
        for (EnrichedEvent e : batch) {
            ObjectNode json = AggregationIT.MAPPER.valueToTree(e);
            TestData.send(PulseInfrastructure.current().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, e.userId()),
                    AggregationIT.MAPPER.writeValueAsString(json));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == expected);
    }

    private static Map<String, String> kept(String app) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            return KeptSessions.kept(c, app);
        }
    }

    private static long sessions(String app, String user) {
        return queryLong("SELECT sum(sessions) FROM fact_user_daily WHERE app_id = '" + app + "' AND user_id = '" + user + "'");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long queryLong(String sql) {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
