package dev.pulse.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Funnels against an exhaustive search over the fixture's events (funnels without filters or breakdown read the
 * state user_event_times, the others the raw store): for every first-step event of a user, every
 * chain of later events is tried, and the longest chain of the earliest start (its earliest events) is the user's.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class FunnelIT {
    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");
    private static final LocalDate FIRST = LocalDate.of(2026, 5, 4);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static String app;
    private static String token;
    private static final List<Ev> EVENTS = new ArrayList<>();

    record Ev(String user, String event, Instant ts, String country, String device) {
        LocalDate day() {
            return ts.atZone(ZONE).toLocalDate();
        }
    }

    @BeforeAll
    static void load() throws Exception {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        Random random = new Random(5);
        String[] names = {"signup", "feed.view", "feed.like", "purchase", "page_view"};
        Instant start = FIRST.atStartOfDay(ZONE).toInstant();
        List<Ev> events = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String user = "u" + random.nextInt(40);
            // whole minutes, so that equal instants happen (a step at the same instant as the previous one is not later)
            Instant ts = start.plusSeconds(60L * random.nextInt(4 * 1440));
            events.add(new Ev(user, names[random.nextInt(names.length)], ts, Math.floorMod(user.hashCode(), 3) == 0 ? null : "C" + Math.floorMod(user.hashCode(), 2),
                    random.nextBoolean() ? "mobile" : "desktop"));
        }
        // the window's edge: exactly one hour after the first step (in) and one second more (out)
        Instant edge = start.plusSeconds(3 * 3600);
        events.add(new Ev("edge-in", "signup", edge, "C0", "mobile"));
        events.add(new Ev("edge-in", "feed.view", edge.plusSeconds(3600), "C0", "mobile"));
        events.add(new Ev("edge-out", "signup", edge, "C0", "mobile"));
        events.add(new Ev("edge-out", "feed.view", edge.plusSeconds(3601), "C0", "mobile"));
        // a view at the very instant of the signup is not after it
        Instant tie = start.plusSeconds(5 * 3600);
        events.add(new Ev("tie", "signup", tie, "C1", "mobile"));
        events.add(new Ev("tie", "feed.view", tie, "C1", "mobile"));
        events.add(new Ev("tie", "purchase", tie.plusSeconds(60), "C1", "mobile"));
        insert(events);
    }

    private static void insert(List<Ev> events) throws Exception {
        insertRaw(events);
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            rebuildState(s);
        }
    }

    /**
     * The funnels' state of the stored events (funnels without filters or breakdown read it), in the shape
     * aggregate-service's appends leave it (V41): each row the later half of its times, then all of them, so parts
     * out of order and times twice.
     */
    private static void rebuildState(java.sql.Statement s) throws Exception {
        s.execute("SELECT user_event_times_rebuild('" + app + "')");
        s.execute("UPDATE user_event_times SET times = substring(times FROM length(times) / 16 * 8 + 1) || times WHERE app_id = '" + app + "'");
    }

    /** Into the raw store only. */
    private static void insertRaw(List<Ev> events) throws Exception {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, country, device)
                     VALUES (?, ?, ?, ?, ?, ?, 'engagement', ?, ?, ?)""")) {
            for (Ev e : events) {
                insert.setString(1, app);
                insert.setObject(2, e.day());
                insert.setObject(3, UUID.randomUUID());
                insert.setTimestamp(4, Timestamp.from(e.ts()));
                insert.setTimestamp(5, Timestamp.from(e.ts()));
                insert.setString(6, e.event());
                insert.setString(7, e.user());
                insert.setString(8, e.country());
                insert.setString(9, e.device());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        EVENTS.addAll(events);
    }

    private static JsonNode funnel(String body) throws Exception {
        String answer = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/funnel").then().statusCode(200).extract().asString();
        return MAPPER.readTree(answer);
    }

    /** The longest chain from the earliest start that reaches as far, each step at its earliest possible event. */
    private static List<Ev> chain(List<Ev> ofUser, List<Predicate<Ev>> steps, long windowSeconds, LocalDate from, LocalDate to) {
        List<Ev> sorted = ofUser.stream().sorted(Comparator.comparing(Ev::ts)).toList();
        List<Ev> best = List.of();
        for (Ev first : sorted) {
            if (steps.get(0).test(first) && !first.day().isBefore(from) && !first.day().isAfter(to)) {
                List<Ev> found = search(sorted, steps, List.of(first), first.ts().plusSeconds(windowSeconds));
                if (found.size() > best.size()) {
                    best = found;
                }
            }
        }
        return best;
    }

    /** Depth first over every later event, in time order: the first longest chain found is the earliest one. */
    private static List<Ev> search(List<Ev> sorted, List<Predicate<Ev>> steps, List<Ev> chain, Instant deadline) {
        if (chain.size() == steps.size()) {
            return chain;
        }
        List<Ev> best = chain;
        Ev last = chain.get(chain.size() - 1);
        for (Ev next : sorted) {
            if (next.ts().isAfter(last.ts()) && !next.ts().isAfter(deadline) && steps.get(chain.size()).test(next)) {
                List<Ev> longer = new ArrayList<>(chain);
                longer.add(next);
                List<Ev> found = search(sorted, steps, longer, deadline);
                if (found.size() > best.size()) {
                    best = found;
                }
                if (best.size() == steps.size()) {
                    break;
                }
            }
        }
        return best;
    }

    /** Per group: users per step and the sorted seconds from the previous step. */
    private static Map<String, List<List<Double>>> expected(List<Predicate<Ev>> steps, long window, LocalDate from, LocalDate to,
            java.util.function.Function<Ev, String> group) {
        Map<String, List<List<Double>>> groups = new TreeMap<>();
        EVENTS.stream().collect(Collectors.groupingBy(Ev::user)).forEach((user, events) -> {
            List<Ev> chain = chain(events, steps, window, from, to);
            if (chain.isEmpty()) {
                return;
            }
            List<List<Double>> perStep = groups.computeIfAbsent(String.valueOf(group.apply(chain.get(0))), g -> {
                List<List<Double>> lists = new ArrayList<>();
                steps.forEach(s -> lists.add(new ArrayList<>()));
                return lists;
            });
            for (int k = 0; k < chain.size(); k++) {
                perStep.get(k).add(k == 0 ? 0.0 : (chain.get(k).ts().toEpochMilli() - chain.get(k - 1).ts().toEpochMilli()) / 1000.0);
            }
        });
        groups.values().forEach(lists -> lists.forEach(l -> l.sort(null)));
        return groups;
    }

    private static void check(JsonNode answer, Map<String, List<List<Double>>> expected, List<String> events) {
        Map<String, JsonNode> actual = new TreeMap<>();
        answer.get("results").forEach(g -> actual.put(g.get("breakdown_value").isNull() ? "null" : g.get("breakdown_value").asText(), g.get("steps")));
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((group, perStep) -> {
            JsonNode steps = actual.get(group);
            long first = perStep.get(0).size();
            for (int k = 0; k < events.size(); k++) {
                JsonNode step = steps.get(k);
                List<Double> seconds = perStep.get(k);
                long previous = k == 0 ? first : perStep.get(k - 1).size();
                String at = group + " step " + (k + 1);
                assertEquals(events.get(k), step.get("event").asText(), at);
                assertEquals(seconds.size(), step.get("users").asLong(), at);
                assertEquals(first == 0 ? 0 : Math.round(10_000.0 * seconds.size() / first) / 10_000.0, step.get("conversion_from_first").asDouble(), 1e-9, at);
                assertEquals(previous == 0 ? 0 : Math.round(10_000.0 * seconds.size() / previous) / 10_000.0, step.get("conversion_from_previous").asDouble(), 1e-9, at);
                assertEquals(previous - seconds.size(), step.get("drop_off").asLong(), at);
                if (k == 0 || seconds.isEmpty()) {
                    assertEquals(true, step.get("median_seconds_from_previous").isNull(), at);
                } else {
                    assertEquals(seconds.get((seconds.size() + 1) / 2 - 1), step.get("median_seconds_from_previous").asDouble(), 1e-9, at + " median");
                    assertEquals(seconds.get((9 * seconds.size() + 9) / 10 - 1), step.get("p90_seconds_from_previous").asDouble(), 1e-9, at + " p90");
                }
            }
        });
    }

    private static Predicate<Ev> named(String event) {
        return e -> e.event().equals(event);
    }

    @Test
    void threeStepsWithoutBreakdownMatchAnExhaustiveSearch() throws Exception {
        LocalDate to = FIRST.plusDays(1);
        JsonNode answer = funnel("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\"},{\"event\":\"purchase\"}],"
                + "\"window\":\"1d\",\"date_range\":[\"" + FIRST + "\",\"" + to + "\"]}");
        check(answer, expected(List.of(named("signup"), named("feed.view"), named("purchase")), 86_400, FIRST, to, e -> "null"),
                List.of("signup", "feed.view", "purchase"));
        assertEquals(86_400, answer.at("/meta/window_seconds").asLong());
        assertEquals(1, chain(EVENTS.stream().filter(e -> e.user().equals("tie")).toList(),
                List.of(named("signup"), named("feed.view"), named("purchase")), 86_400, FIRST, to).size(), "the tie reaches the first step only");
    }

    /** A row aggregate-service gave up (times NULL: too many to keep) sends the funnel to the raw store, same answer. */
    @Test
    void aGivenUpRowOfTheStateIsAnsweredFromTheRawStore() throws Exception {
        Ev signup = EVENTS.stream().filter(named("signup")).min(Comparator.comparing(Ev::ts)).orElseThrow();
        String row = " WHERE app_id = '" + app + "' AND event = 'signup' AND user_id = '" + signup.user() + "'";
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            assertEquals(1, s.executeUpdate("UPDATE user_event_times SET times = NULL" + row + " AND week_start = date_trunc('week', '" + signup.day() + "'::date)::date"));
            try {
                LocalDate to = FIRST.plusDays(1);
                JsonNode answer = funnel("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\"},{\"event\":\"purchase\"}],"
                        + "\"window\":\"1d\",\"date_range\":[\"" + FIRST + "\",\"" + to + "\"]}");
                check(answer, expected(List.of(named("signup"), named("feed.view"), named("purchase")), 86_400, FIRST, to, e -> "null"),
                        List.of("signup", "feed.view", "purchase"));
            } finally {
                rebuildState(s);
            }
        }
    }

    @Test
    void theWindowIsInclusiveToTheSecond() throws Exception {
        JsonNode answer = funnel("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\"}],\"window\":\"60m\","
                + "\"date_range\":[\"" + FIRST + "\",\"" + FIRST + "\"],\"breakdown\":\"user:country\"}");
        Map<String, List<List<Double>>> expected = expected(List.of(named("signup"), named("feed.view")), 3600, FIRST, FIRST, Ev::country);
        check(answer, expected, List.of("signup", "feed.view"));
        // edge-in's 3,600 s is among them, edge-out's 3,601 s is not
        assertEquals(true, expected.get("C0").get(1).contains(3600.0));
        assertEquals(false, expected.get("C0").get(1).contains(3601.0));
    }

    @Test
    void stepFiltersAndADeviceBreakdown() throws Exception {
        LocalDate to = FIRST.plusDays(2);
        JsonNode answer = funnel("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"feed.view\"},"
                + "{\"event\":\"feed.view\",\"filters\":[[\"is\",\"device\",[\"mobile\"]]]},{\"event\":\"feed.like\"}],"
                + "\"window\":\"12h\",\"date_range\":[\"" + FIRST + "\",\"" + to + "\"],\"breakdown\":\"device\"}");
        Predicate<Ev> mobileView = e -> e.event().equals("feed.view") && e.device().equals("mobile");
        check(answer, expected(List.of(named("feed.view"), mobileView, named("feed.like")), 12 * 3600, FIRST, to, Ev::device),
                List.of("feed.view", "feed.view", "feed.like"));
    }

    @Test
    void aLateEventChangesTheAnswer() throws Exception {
        String body = "{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"page_view\"},{\"event\":\"referral\"}],\"window\":\"2h\","
                + "\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(3) + "\"]}";
        List<Predicate<Ev>> steps = List.of(named("page_view"), named("referral"));
        check(funnel(body), expected(steps, 7200, FIRST, FIRST.plusDays(3), e -> "null"), List.of("page_view", "referral"));
        Ev view = EVENTS.stream().filter(named("page_view")).min(Comparator.comparing(Ev::ts)).orElseThrow();
        insert(List.of(new Ev(view.user(), "referral", view.ts().plusSeconds(90), view.country(), view.device())));
        JsonNode after = funnel(body);
        check(after, expected(steps, 7200, FIRST, FIRST.plusDays(3), e -> "null"), List.of("page_view", "referral"));
        assertEquals(1, after.at("/results/0/steps/1/users").asLong(), "the late referral converts one user");
    }

    /** Paths that start in last week, which query-api holds (once it is over), and go on in this week, which it reads. */
    @Test
    void pathsAcrossAHeldWeekAndAReadWeek() throws Exception {
        LocalDate monday = dev.pulse.schema.EventTimes.weekStart(LocalDate.now(ZONE));
        LocalDate sunday = monday.minusDays(1);
        java.util.function.BiFunction<LocalDate, Integer, Instant> at = (day, minutes) -> day.atStartOfDay(ZONE).toInstant().plusSeconds(60L * minutes);
        insert(List.of(
                new Ev("span-1", "signup", at.apply(sunday, 23 * 60), "C0", "mobile"),
                new Ev("span-1", "feed.view", at.apply(monday, 30), "C0", "mobile"),
                new Ev("span-1", "purchase", at.apply(monday, 60), "C0", "mobile"),
                new Ev("span-2", "signup", at.apply(sunday.minusDays(1), 12 * 60), "C1", "desktop"),
                new Ev("span-2", "feed.view", at.apply(sunday.minusDays(1), 13 * 60), "C1", "desktop"),
                new Ev("span-2", "purchase", at.apply(sunday, 11 * 60), "C1", "desktop"),
                new Ev("span-3", "signup", at.apply(sunday, 22 * 60), "C1", "mobile"),
                new Ev("span-3", "feed.view", at.apply(sunday, 22 * 60), "C1", "mobile"),
                new Ev("span-3", "feed.view", at.apply(monday, 10), "C1", "mobile"),
                new Ev("span-4", "signup", at.apply(sunday, 20 * 60), "C0", "mobile"),
                new Ev("span-4", "feed.view", at.apply(monday.plusDays(1), 0), "C0", "mobile")));
        JsonNode answer = funnel("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\"},{\"event\":\"purchase\"}],"
                + "\"window\":\"1d\",\"date_range\":[\"" + sunday.minusDays(6) + "\",\"" + sunday + "\"]}");
        Map<String, List<List<Double>>> expected = expected(List.of(named("signup"), named("feed.view"), named("purchase")), 86_400,
                sunday.minusDays(6), sunday, e -> "null");
        check(answer, expected, List.of("signup", "feed.view", "purchase"));
        assertEquals(List.of(4, 3, 2), expected.get("null").stream().map(List::size).toList(), "users per step");
    }

    /**
     * query-api holds closed weeks of the state until aggregate-service bumps one of their days (it does so in the
     * transaction that stores a late event): a change without a bump is not seen, a bump of another week's day keeps
     * the week held, a bump of one of its days shows the change.
     */
    @Test
    void aClosedWeekIsHeldUntilOneOfItsDaysChanges() throws Exception {
        String body = "{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"purchase\"}],\"window\":\"1d\","
                + "\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(2) + "\"]}";
        List<Predicate<Ev>> steps = List.of(named("signup"), named("purchase"));
        Map<String, List<List<Double>>> before = expected(steps, 86_400, FIRST, FIRST.plusDays(2), e -> "null");
        check(funnel(body), before, List.of("signup", "purchase"));
        // a new user's signup and purchase, stored as aggregate-service would but without its bump
        Instant signup = FIRST.plusDays(1).atTime(10, 0).atZone(ZONE).toInstant();
        List<Ev> added = List.of(new Ev("held-week", "signup", signup, "C0", "mobile"), new Ev("held-week", "purchase", signup.plusSeconds(60), "C0", "mobile"));
        insertRaw(added);
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement state = c.prepareStatement("""
                     INSERT INTO user_event_times (app_id, week_start, event, user_id, times, first_micros, last_micros)
                     SELECT ?, date_trunc('week', ?::date)::date, ?, ?, user_event_times_encode(ARRAY[t]), t, t FROM (SELECT ?::bigint AS t) AS m""");
             PreparedStatement bump = c.prepareStatement("""
                     INSERT INTO closed_day_changes AS d (app_id, event_date, version) VALUES (?, ?, 1)
                     ON CONFLICT (app_id, event_date) DO UPDATE SET version = d.version + 1""")) {
            for (Ev e : added) {
                state.setString(1, app);
                state.setObject(2, e.day());
                state.setString(3, e.event());
                state.setString(4, e.user());
                state.setLong(5, e.ts().getEpochSecond() * 1_000_000);
                state.executeUpdate();
            }
            bump.setString(1, app);
            try {
                check(funnel(body), before, List.of("signup", "purchase"));
                bump.setObject(2, FIRST.plusDays(7));
                bump.executeUpdate();
                check(funnel(body), before, List.of("signup", "purchase"));
            } finally {
                // whatever happened, the other tests see the added user
                bump.setObject(2, FIRST.plusDays(1));
                bump.executeUpdate();
            }
            bump.setObject(2, FIRST.plusDays(1));
            bump.executeUpdate();
            Map<String, List<List<Double>>> after = expected(steps, 86_400, FIRST, FIRST.plusDays(2), e -> "null");
            assertEquals(before.get("null").get(1).size() + 1, after.get("null").get(1).size(), "the new user converts");
            check(funnel(body), after, List.of("signup", "purchase"));
        }
    }

    @Test
    void badFunnelsNameTheField() {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"steps\":[{\"event\":\"signup\"}],\"date_range\":\"7d\"}", "steps");
        bad.put("{\"steps\":[" + "{\"event\":\"a\"},".repeat(10) + "{\"event\":\"a\"}],\"date_range\":\"7d\"}", "steps");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"Bad Name\"}],\"date_range\":\"7d\"}", "steps[1].event");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\",\"extra\":1}],\"date_range\":\"7d\"}", "steps[1].extra");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\",\"filters\":[[\"is\",\"nope\",[\"a\"]]]}],\"date_range\":\"7d\"}", "steps[1].filters[0]");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":\"7d\",\"window\":\"91d\"}", "window");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":\"7d\",\"window\":\"30s\"}", "window");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":\"7d\",\"window\":7}", "window");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":\"7d\",\"breakdown\":\"event:name\"}", "breakdown");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":[\"2026-05-09\",\"2026-05-01\"]}", "date_range");
        bad.put("{\"steps\":[{\"event\":\"signup\"},{\"event\":\"x\"}],\"date_range\":\"7d\",\"limit\":3}", "limit");
        bad.forEach((body, field) -> given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\"," + body.substring(1)).when().post("/v1/funnel").then().statusCode(400).body("field", equalTo(field)));
        given().contentType(ContentType.JSON).body("{\"steps\":[]}").when().post("/v1/funnel").then().statusCode(401);
    }
}
