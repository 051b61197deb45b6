package dev.pulse.query;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.SessionRuns;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Session metrics against sessions worked out here from the fixture's events: per user and local day, events with a
 * session_id grouped by it, the others split where the gap to the previous one exceeds the timeout. The days span
 * the end of summer time in Berlin, events cluster near midnight, some gaps equal the timeout exactly, and one
 * session_id is reused across midnight.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class SessionsIT {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final LocalDate FIRST = LocalDate.of(2026, 10, 21);
    private static final int DAYS = 8;
    private static final int SHORT_TIMEOUT = 600;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final List<Ev> EVENTS = new ArrayList<>();
    private static final Map<String, String> TOKENS = new HashMap<>();
    private static String defaultApp;
    private static String shortApp;

    record Ev(String user, Instant ts, String sessionId, String device) {
        LocalDate day() {
            return ts.atZone(ZONE).toLocalDate();
        }
    }

    record Session(String user, LocalDate day, Instant start, Instant end, int events, String firstDevice) {
    }

    @BeforeAll
    static void load() throws Exception {
        Random random = new Random(18);
        Instant start = FIRST.atStartOfDay(ZONE).toInstant();
        for (int u = 0; u < 30; u++) {
            String user = "u" + u;
            // users join on different days, so cohorts differ
            Instant t = start.plusSeconds(random.nextInt(DAYS * 86_400 / 2));
            Instant end = start.plus(Duration.ofDays(DAYS));
            int burst = 0;
            while (t.isBefore(end)) {
                boolean tagged = u % 3 == 0;
                String session = tagged ? "s" + (burst % 4) : null;
                int size = 1 + random.nextInt(4);
                for (int i = 0; i < size && t.isBefore(end); i++) {
                    EVENTS.add(new Ev(user, t, session, random.nextBoolean() ? "mobile" : "desktop"));
                    // gaps below, at and above both timeouts; none 0, as the first of two events at one instant is the
                    // one with the lower event_id, which this class does not know
                    int[] gaps = {1, 30, 300, SHORT_TIMEOUT, SHORT_TIMEOUT + 1, 1200, 1800, 1801, 2400};
                    t = t.plusSeconds(gaps[random.nextInt(gaps.length)]);
                }
                burst++;
                // the next burst: hours later, often just before or after a midnight
                t = random.nextInt(3) == 0 ? nextMidnight(t).minusSeconds(random.nextInt(900)) : t.plusSeconds(3_600 + random.nextInt(30_000));
            }
        }
        // a session_id sent on both sides of a midnight: two sessions, one per day
        Instant midnight = FIRST.plusDays(2).atStartOfDay(ZONE).toInstant();
        EVENTS.add(new Ev("across", midnight.minusSeconds(60), "night", "mobile"));
        EVENTS.add(new Ev("across", midnight.plusSeconds(60), "night", "mobile"));
        // the late event of the last test will join these two
        EVENTS.add(new Ev("bridge", FIRST.plusDays(3).atTime(10, 0).atZone(ZONE).toInstant(), null, "desktop"));
        EVENTS.add(new Ev("bridge", FIRST.plusDays(3).atTime(10, 50).atZone(ZONE).toInstant(), null, "desktop"));

        defaultApp = TestData.newAppId();
        shortApp = TestData.newAppId();
        for (String app : List.of(defaultApp, shortApp)) {
            TOKENS.put(app, TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId()));
            store(app, EVENTS);
        }
        TestData.execute(PulseInfrastructure.current().dataSource(),
                "UPDATE apps SET session_timeout_seconds = " + SHORT_TIMEOUT + ", session_timeout_version = session_timeout_version + 1 WHERE app_id = '" + shortApp + "'");
    }

    private static Instant nextMidnight(Instant t) {
        return t.atZone(ZONE).toLocalDate().plusDays(1).atStartOfDay(ZONE).toInstant();
    }

    private static void store(String app, List<Ev> events) throws Exception {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, session_id, device)
                     VALUES (?, ?, gen_random_uuid(), ?, ?, 'page_view', 'engagement', ?, ?, ?)""");
             PreparedStatement first = c.prepareStatement("""
                     INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts) VALUES (?, ?, ?, ?)
                     ON CONFLICT (app_id, user_id) DO UPDATE SET first_date = least(user_first_seen.first_date, excluded.first_date),
                         first_ts = least(user_first_seen.first_ts, excluded.first_ts)""")) {
            for (Ev e : events) {
                insert.setString(1, app);
                insert.setObject(2, e.day());
                insert.setTimestamp(3, Timestamp.from(e.ts()));
                insert.setTimestamp(4, Timestamp.from(e.ts()));
                insert.setString(5, e.user());
                insert.setString(6, e.sessionId());
                insert.setString(7, e.device());
                insert.addBatch();
                first.setString(1, app);
                first.setString(2, e.user());
                first.setObject(3, e.day());
                first.setTimestamp(4, Timestamp.from(e.ts()));
                first.addBatch();
            }
            insert.executeBatch();
            first.executeBatch();
            QueryFixture.rollUp(c, app);
        }
    }

    /** The sessions of the events, as this class's comment defines them. */
    private static List<Session> sessions(List<Ev> events, int timeout) {
        return SessionRuns.of(events, e -> List.of(e.user(), e.day()), Ev::sessionId, Ev::ts, Comparator.comparing(Ev::ts),
                Duration.ofSeconds(timeout)).stream().map(SessionsIT::session).toList();
    }

    private static Session session(List<Ev> events) {
        Ev first = events.get(0);
        return new Session(first.user(), first.day(), first.ts(), events.get(events.size() - 1).ts(), events.size(), first.device());
    }

    /** sessions, sessions_per_user, avg_session_seconds, bounce_rate of some sessions, as the API rounds them. */
    private static List<BigDecimal> figures(List<Session> of) {
        if (of.isEmpty()) {
            return List.of(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);
        }
        BigDecimal count = BigDecimal.valueOf(of.size());
        long users = of.stream().map(Session::user).distinct().count();
        long seconds = of.stream().mapToLong(s -> Duration.between(s.start(), s.end()).getSeconds()).sum();
        long bounces = of.stream().filter(s -> s.events() == 1).count();
        return List.of(count, count.divide(BigDecimal.valueOf(users), 4, RoundingMode.HALF_UP),
                BigDecimal.valueOf(seconds).divide(count, 4, RoundingMode.HALF_UP),
                BigDecimal.valueOf(bounces).divide(count, 4, RoundingMode.HALF_UP));
    }

    private static JsonNode query(String app, String body) throws Exception {
        String answer = given().header("Authorization", "Bearer " + TOKENS.get(app)).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\"," + body + "}")
                .when().post("/v1/query").then().statusCode(200).extract().asString();
        return MAPPER.readTree(answer).get("results");
    }

    private static String range() {
        return "\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(DAYS - 1) + "\"]";
    }

    private static final String SESSION_METRICS = "\"metrics\":[\"sessions\",\"sessions_per_user\",\"avg_session_seconds\",\"bounce_rate\"]";

    /** Per group (the dimensions' values as text), the four figures of the rows. */
    private static Map<String, List<BigDecimal>> actual(JsonNode results) {
        Map<String, List<BigDecimal>> rows = new TreeMap<>();
        for (JsonNode row : results) {
            List<String> key = new ArrayList<>();
            row.get("dimensions").forEach(d -> key.add(d.asText()));
            List<BigDecimal> values = new ArrayList<>();
            row.get("metrics").forEach(m -> values.add(m.decimalValue().stripTrailingZeros()));
            rows.put(String.join("|", key), values);
        }
        return rows;
    }

    private static Map<String, List<BigDecimal>> expected(List<Session> sessions, Function<Session, String> group,
            Set<String> allGroups) {
        Map<String, List<Session>> byGroup = sessions.stream().collect(Collectors.groupingBy(group));
        Map<String, List<BigDecimal>> rows = new TreeMap<>();
        for (String g : allGroups) {
            rows.put(g, figures(byGroup.getOrDefault(g, List.of())).stream().map(BigDecimal::stripTrailingZeros).toList());
        }
        return rows;
    }

    private static Set<String> days() {
        Set<String> days = new HashSet<>();
        FIRST.datesUntil(FIRST.plusDays(DAYS)).forEach(d -> days.add(d.toString()));
        return days;
    }

    private static boolean inRange(Session s) {
        return !s.day().isBefore(FIRST) && s.day().isBefore(FIRST.plusDays(DAYS));
    }

    @Test
    void dailySessionsMatchTheirDefinitionAtEachTimeout() throws Exception {
        for (String app : List.of(defaultApp, shortApp)) {
            int timeout = app.equals(defaultApp) ? 1800 : SHORT_TIMEOUT;
            List<Session> sessions = sessions(EVENTS, timeout).stream().filter(SessionsIT::inRange).toList();
            assertEquals(expected(sessions, s -> s.day().toString(), days()),
                    actual(query(app, SESSION_METRICS + "," + range() + ",\"dimensions\":[\"time:day\"]")), "timeout " + timeout);
        }
    }

    /**
     * Sessions kept with the app's timeout are answered from the rollup alone: after the raw events are gone (and the
     * cache told), the figures stay; kept with another timeout (the short app's, changed after its build), the raw
     * store answers, as the test above shows.
     */
    @Test
    void sessionsKeptWithTheAppsTimeoutAnswerFromTheRollup() throws Exception {
        String app = TestData.newAppId();
        TOKENS.put(app, TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId()));
        store(app, EVENTS);
        TestData.execute(PulseInfrastructure.current().dataSource(),
                "UPDATE apps SET session_timeout_seconds = " + SHORT_TIMEOUT + ", session_timeout_version = session_timeout_version + 1 WHERE app_id = '" + app + "'");
        TestData.execute(PulseInfrastructure.current().dataSource(), "SELECT user_day_sessions_rebuild('" + app + "')");
        String body = SESSION_METRICS + "," + range() + ",\"dimensions\":[\"time:day\"]";
        Map<String, List<BigDecimal>> expected = expected(sessions(EVENTS, SHORT_TIMEOUT).stream().filter(SessionsIT::inRange).toList(),
                s -> s.day().toString(), days());
        assertEquals(expected, actual(query(app, body)));
        TestData.execute(PulseInfrastructure.current().dataSource(), "DELETE FROM events WHERE app_id = '" + app + "'");
        TestData.execute(PulseInfrastructure.current().dataSource(), "INSERT INTO closed_day_versions VALUES ('" + app + "', 1)"
                + " ON CONFLICT (app_id) DO UPDATE SET version = closed_day_versions.version + 1");
        assertEquals(expected, actual(query(app, body)), "from the rollup, without the raw store");
    }

    /**
     * Traits that change within a session: the kept sessions count on the row of the first event's traits, and
     * sessions_per_user divides by the users who start a session in the group, not by every user with a row there.
     * The rollup's answers (kept) against the raw store's (a filter every event passes moves the query there).
     */
    @Test
    void sessionsWhoseTraitsChangeCountWithTheirFirstEventFromTheRollupAsFromTheRawStore() throws Exception {
        String app = TestData.newAppId();
        TOKENS.put(app, TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId()));
        LocalDate day = FIRST.plusDays(1);
        // user, minutes after 09:00, gender: c and a start with gender 0 and go on with 1; b only 1; a starts a second session with 1
        List<Object[]> events = List.of(new Object[] {"c", 0, 0}, new Object[] {"c", 5, 1}, new Object[] {"a", 60, 0},
                new Object[] {"a", 70, 1}, new Object[] {"a", 360, 1}, new Object[] {"b", 180, 1});
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, gender, device)
                     VALUES (?, ?, gen_random_uuid(), ?, ?, 'page_view', 'engagement', ?, ?, 'mobile')""")) {
            for (Object[] e : events) {
                Instant ts = day.atTime(9, 0).atZone(ZONE).toInstant().plusSeconds(60L * (Integer) e[1]);
                insert.setString(1, app);
                insert.setObject(2, day);
                insert.setTimestamp(3, Timestamp.from(ts));
                insert.setTimestamp(4, Timestamp.from(ts));
                insert.setString(5, (String) e[0]);
                insert.setShort(6, ((Integer) e[2]).shortValue());
                insert.addBatch();
            }
            insert.executeBatch();
            QueryFixture.rollUp(c, app);
        }
        long usersWithGender1 = events.stream().filter(e -> (Integer) e[2] == 1).map(e -> e[0]).distinct().count();
        assertEquals(3, usersWithGender1, "a user with gender 1 but no session starting so: the case the denominator must leave out");
        String allPass = ",\"filters\":[[\"is\",\"device\",[\"mobile\"]]]";
        for (String question : List.of(",\"dimensions\":[\"user:gender\"]", ",\"dimensions\":[\"time:day\",\"user:gender\"]",
                ",\"filters\":[[\"is\",\"user:gender\",[\"1\"]]]")) {
            String body = SESSION_METRICS + "," + range() + question;
            String raw = question.contains("filters") ? body.replace("]]]", "]],[\"is\",\"device\",[\"mobile\"]]]") : body + allPass;
            assertEquals(actual(query(app, raw)), actual(query(app, body)), question);
        }
    }

    @Test
    void aSessionCountsWithItsFirstEventsDeviceAndTheUsersCohort() throws Exception {
        List<Session> sessions = sessions(EVENTS, 1800).stream().filter(SessionsIT::inRange).toList();
        Map<String, LocalDate> firstDay = new HashMap<>();
        EVENTS.forEach(e -> firstDay.merge(e.user(), e.day(), (a, b) -> a.isBefore(b) ? a : b));
        Function<Session, String> cohort = s -> firstDay.get(s.user()).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
        List<Session> mobile = sessions.stream().filter(s -> s.firstDevice().equals("mobile")).toList();
        assertEquals(expected(mobile, cohort, mobile.stream().map(cohort).collect(Collectors.toSet())),
                actual(query(defaultApp, SESSION_METRICS + "," + range()
                        + ",\"dimensions\":[\"user:cohort_week\"],\"filters\":[[\"is\",\"device\",[\"mobile\"]]]")));
    }

    /** Seed 000's question in one call: rolling weekly active users and sessions per user, per day and signup cohort. */
    @Test
    void rollingActiveUsersAndSessionsPerUserByCohort() throws Exception {
        List<Session> sessions = sessions(EVENTS, 1800);
        Map<String, LocalDate> firstDay = new HashMap<>();
        EVENTS.forEach(e -> firstDay.merge(e.user(), e.day(), (a, b) -> a.isBefore(b) ? a : b));
        Function<String, String> cohortOf = u -> firstDay.get(u).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
        Map<String, List<BigDecimal>> expected = new TreeMap<>();
        for (LocalDate day : FIRST.datesUntil(FIRST.plusDays(DAYS)).toList()) {
            Predicate<Ev> lastWeek = e -> !e.day().isAfter(day) && e.day().isAfter(day.minusDays(7));
            Map<String, Set<String>> weekly = EVENTS.stream().filter(lastWeek)
                    .collect(Collectors.groupingBy(e -> cohortOf.apply(e.user()), Collectors.mapping(Ev::user, Collectors.toSet())));
            Map<String, List<Session>> today = sessions.stream().filter(s -> s.day().equals(day))
                    .collect(Collectors.groupingBy(s -> cohortOf.apply(s.user())));
            for (String cohort : firstDay.keySet().stream().map(cohortOf).collect(Collectors.toSet())) {
                List<Session> of = today.getOrDefault(cohort, List.of());
                long wau = weekly.getOrDefault(cohort, Set.of()).size();
                if (wau > 0 || !of.isEmpty()) {
                    expected.put(day + "|" + cohort, List.of(BigDecimal.valueOf(wau), figures(of).get(1).stripTrailingZeros()));
                }
            }
        }
        Map<String, List<BigDecimal>> actual = actual(query(defaultApp, "\"metrics\":[\"wau\",\"sessions_per_user\"]," + range()
                + ",\"dimensions\":[\"time:day\",\"user:cohort_week\"]"));
        // rows of cohorts with nobody active that week are zeros the time axis filled in
        actual.values().removeIf(v -> v.stream().allMatch(x -> x.signum() == 0));
        assertEquals(expected, actual);
    }

    /** A late event between two sessions of a closed day joins them, in a cached answer too once the version is bumped. */
    @Test
    void aLateEventThatJoinsTwoSessions() throws Exception {
        String app = TestData.newAppId();
        TOKENS.put(app, TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId()));
        List<Ev> events = new ArrayList<>(EVENTS);
        store(app, events);
        String body = SESSION_METRICS + "," + range() + ",\"dimensions\":[\"time:day\"]";
        assertEquals(expected(sessions(events, 1800).stream().filter(SessionsIT::inRange).toList(), s -> s.day().toString(), days()),
                actual(query(app, body)));

        Ev late = new Ev("bridge", FIRST.plusDays(3).atTime(10, 25).atZone(ZONE).toInstant(), null, "desktop");
        events.add(late);
        store(app, List.of(late));
        // as aggregate-service does in the transaction that stores a late event
        TestData.execute(PulseInfrastructure.current().dataSource(), "INSERT INTO closed_day_versions VALUES ('" + app
                + "', 1) ON CONFLICT (app_id) DO UPDATE SET version = closed_day_versions.version + 1");
        Map<String, List<BigDecimal>> after = actual(query(app, body));
        assertEquals(expected(sessions(events, 1800).stream().filter(SessionsIT::inRange).toList(), s -> s.day().toString(), days()), after);
        long before = sessions(EVENTS, 1800).stream().filter(s -> s.day().equals(late.day())).count();
        assertEquals(before - 1, after.get(late.day().toString()).get(0).longValue(), "two sessions became one");
    }
}
