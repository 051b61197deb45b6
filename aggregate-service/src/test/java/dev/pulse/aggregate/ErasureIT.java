package dev.pulse.aggregate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.redis.datasource.RedisDataSource;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * aggregate's part of a user's erasure. The reference is independent of the code under test: a second app receives
 * the same events except the erased user's (other users' messages to them name the erasure's pseudonym), and after
 * the erasure every derived row of the first app must equal that app's.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class ErasureIT {
    private static final String ERASED = "u3";

    @Inject
    RedisDataSource redis;

    private static PulseInfrastructure infra() {
        return PulseInfrastructure.current();
    }

    @Test
    void erasingAUserLeavesWhatABuildWithoutThemWouldHave() throws Exception {
        String app = TestData.newAppId();
        String reference = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        TestData.createApp(infra().dataSource(), reference, "UTC");
        ErasureCommand command = new ErasureCommand(UUID.randomUUID(), app, ERASED, Instant.now());
        Random random = new Random(20);
        Instant now = Instant.now();
        Instant start = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            events.add(AggregationIT.event(app, random, start.plusSeconds(random.nextInt((int) Duration.between(start, now).toSeconds())),
                    "u" + random.nextInt(8)));
        }
        for (int i = 0; i < 40; i++) { // the last minutes, for the real-time views
            events.add(AggregationIT.event(app, random, now.minusSeconds(random.nextInt(600)), "u" + random.nextInt(8)));
        }
        // what only the erased user made exist: a day on which only they were active, a host only they visited
        events.add(AggregationIT.event(app, random, start.minus(Duration.ofHours(12)), ERASED));
        EnrichedEvent page;
        do {
            page = AggregationIT.event(app, random, now.minusSeconds(120), ERASED);
        } while (page.host() == null);
        events.add(AggregationIT.with(page, "host", "only-erased.example"));
        assertNotEquals(0, events.stream().filter(e -> ERASED.equals(e.receiverId())).count(), "others sent the erased user messages");
        send(events, e -> true, e -> e);
        send(events, e -> !e.userId().equals(ERASED), e -> withApp(e, reference, command.pseudonym()));
        sendInvalid(app, "{\"event\":\"feed.view\",\"user_id\":\"" + ERASED + "\"}", now);
        sendInvalid(app, "{\"event\":\"feed.view\",\"user_id\":\"u5\"}", now);
        long remaining = events.stream().filter(e -> !e.userId().equals(ERASED)).count();
        await().atMost(Duration.ofSeconds(90)).until(() -> queryLong("SELECT count(*) FROM events WHERE app_id = '" + app + "'") == events.size()
                && queryLong("SELECT count(*) FROM events WHERE app_id = '" + reference + "'") == remaining
                && queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'") == 2);
        // a day whose raw events are gone (their partition dropped) still names the erased user as a receiver in the event
        // rollup: the erasure finds no raw event to rebuild it from, and still leaves it as the reference has it
        LocalDate gone = LocalDate.now(ZoneOffset.UTC).minusDays(30);
        for (String[] side : new String[][] {{app, ERASED}, {reference, command.pseudonym()}}) {
            Stored.execute("INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, receiver_id, events, views, likes, messages, signups,"
                    + " purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count) VALUES ('" + side[0] + "', date '" + gone
                    + "', 'u1', 'message.sent', 'messenger', '" + side[1] + "', 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0)");
        }
        // and the day's posts: one viewed by u1 (in both apps), one by the erased user only (in the reference, no one's)
        for (String[] view : new String[][] {{app, "u1", "7001"}, {reference, "u1", "7001"}, {app, ERASED, "7002"}}) {
            Stored.execute("INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, post_id, events, views, likes, messages,"
                    + " signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count) VALUES ('" + view[0] + "', date '" + gone
                    + "', '" + view[1] + "', 'feed.view', 'feed', " + view[2] + ", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
            Stored.execute("INSERT INTO fact_daily_posts (app_id, event_date, post_id, first_action_ts, last_action_ts, views, likes, unique_viewers,"
                    + " unique_likers) VALUES ('" + view[0] + "', date '" + gone + "', " + view[2] + ", timestamptz '" + gone + " 10:00Z', timestamptz '"
                    + gone + " 10:00Z', 1, 0, 1, 0)");
        }
        List<String> othersBefore = othersRows(app);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        await().atMost(Duration.ofSeconds(30)).until(() -> dailyUsers(app, today) == distinctUsers(events, today, true));

        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, ERASED), AggregationIT.MAPPER.writeValueAsString(command));
        await().atMost(Duration.ofSeconds(90)).until(() -> queryLong("SELECT count(*) FROM aggregate_erasures WHERE erasure_id = '"
                + command.erasureId() + "' AND deleted_rows ? 'days_rebuilt'") == 1);

        assertEquals(renamed(facts(reference), reference, app), facts(app), "every derived row equals a build without the user");
        assertEquals(othersBefore, othersRows(app), "other users' own rows are unchanged");
        // the session ends are no fact (dropped after two days, kept again from the raw store), but they name users too
        for (String table : Stream.concat(FactTables.TABLES.stream(), Stream.of("events", "invalid_events", "user_day_session_ends", "user_ordinals")).toList()) {
            assertEquals(0L, queryLong("SELECT count(*) FROM " + table + " t WHERE app_id = '" + app + "' AND row_to_json(t)::text LIKE '%\"" + ERASED + "\"%'"),
                    table + " names the erased user");
        }
        assertEquals(1L, queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'"), "the other user's invalid record stays");
        long erasedEvents = events.stream().filter(e -> e.userId().equals(ERASED)).count();
        assertEquals(erasedEvents, queryLong("SELECT (deleted_rows->>'events')::bigint FROM aggregate_erasures WHERE erasure_id = '" + command.erasureId() + "'"));
        assertEquals(events.stream().filter(e -> ERASED.equals(e.receiverId()) && !e.userId().equals(ERASED)).count(),
                queryLong("SELECT (deleted_rows->>'events_naming_user_as_receiver')::bigint FROM aggregate_erasures WHERE erasure_id = '" + command.erasureId() + "'"));

        // real time: rebuilt without the user
        await().atMost(Duration.ofSeconds(30)).until(() -> rebuiltWithoutErased(app, today, events, now));
        for (String key : redis.key().keys(RedisKeys.recentContentEventsPattern(app))) {
            assertFalse(redis.list(String.class).lrange(key, 0, -1).stream().anyMatch(v -> v.contains("\"" + ERASED + "\"")), key);
        }

        // a redelivered command changes nothing in PostgreSQL; it rebuilds the real-time views again, as the first
        // delivery may have committed and then failed to rebuild them (here: the user put back as such a failure leaves it)
        String completed = queryString("SELECT completed_at::text || deleted_rows::text FROM aggregate_erasures WHERE erasure_id = '" + command.erasureId() + "'");
        List<String> after = facts(app);
        redis.hyperloglog(String.class).pfadd(RedisKeys.dailyUsers(app, today), ERASED);
        assertFalse(rebuiltWithoutErased(app, today, events, now), "the erased user is counted again");
        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, ERASED), AggregationIT.MAPPER.writeValueAsString(command));
        ErasureCommand marker = new ErasureCommand(UUID.randomUUID(), app, "nobody", Instant.now());
        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, ERASED), AggregationIT.MAPPER.writeValueAsString(marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM aggregate_erasures WHERE erasure_id = '" + marker.erasureId() + "'") == 1);
        assertEquals(completed, queryString("SELECT completed_at::text || deleted_rows::text FROM aggregate_erasures WHERE erasure_id = '" + command.erasureId() + "'"));
        assertEquals(after, facts(app), "the redelivery (and an erasure of an unknown user) left every row as it was");
        await().atMost(Duration.ofSeconds(30)).until(() -> rebuiltWithoutErased(app, today, events, now));

        // an event of the user arriving later is counted normally
        EnrichedEvent later = AggregationIT.event(app, random, Instant.now(), ERASED);
        TestData.send(infra().bootstrapServers(), Topics.ENRICHED, Topics.userKey(app, ERASED), AggregationIT.MAPPER.writeValueAsString(later));
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT coalesce(sum(events), 0) FROM fact_user_daily WHERE app_id = '" + app
                + "' AND user_id = '" + ERASED + "'") == 1);
    }

    /** Events may carry an integer user id (it means its decimal string): refused records naming it as that number go too. */
    @Test
    void refusedRecordsNamingAnIntegerUserIdAreErased() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(infra().dataSource(), app, "UTC");
        Instant now = Instant.now();
        List<String> naming = List.of("{\"event\":\"feed.view\",\"user_id\":4242}",
                "{\"event\":\"message.sent\",\"user_id\":\"7\",\"properties\":{\"receiver_id\": 4242}}",
                "{\"event\":\"feed.view\",\"user_id\":\"4242\"}");
        List<String> others = List.of("{\"event\":\"feed.view\",\"user_id\":42421}", "{\"event\":\"feed.view\",\"user_id\":4242.5}",
                "{\"event\":\"feed.view\",\"user_id\":\"8\",\"properties\":{\"post_id\":4242}}");
        for (String payload : Stream.concat(naming.stream(), others.stream()).toList()) {
            sendInvalid(app, payload, now);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM invalid_events WHERE app_id = '" + app + "'")
                == naming.size() + others.size());

        ErasureCommand command = new ErasureCommand(UUID.randomUUID(), app, "4242", now);
        TestData.send(infra().bootstrapServers(), Topics.ERASURES, Topics.userKey(app, "4242"), AggregationIT.MAPPER.writeValueAsString(command));
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM aggregate_erasures WHERE erasure_id = '"
                + command.erasureId() + "' AND deleted_rows ? 'days_rebuilt'") == 1);

        assertEquals(naming.size(), queryLong("SELECT (deleted_rows->>'invalid_events')::bigint FROM aggregate_erasures WHERE erasure_id = '"
                + command.erasureId() + "'"));
        assertEquals(others.stream().sorted().toList(), List.of(queryString("SELECT string_agg(payload, '\n' ORDER BY payload COLLATE \"C\") FROM invalid_events WHERE app_id = '"
                + app + "'").split("\n")));
    }

    private static void send(List<EnrichedEvent> events, java.util.function.Predicate<EnrichedEvent> keep,
            java.util.function.Function<EnrichedEvent, Object> transform) throws Exception {
        Map<String, List<String>> byUser = new TreeMap<>();
        for (EnrichedEvent e : events) {
            if (keep.test(e)) {
                byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(AggregationIT.MAPPER.writeValueAsString(transform.apply(e)));
            }
        }
        byUser.forEach((user, values) -> TestData.send(infra().bootstrapServers(), Topics.ENRICHED, user, values.toArray(String[]::new)));
    }

    /** The event as the reference app receives it: its own app id, and the pseudonym where it names the erased user. */
    private static ObjectNode withApp(EnrichedEvent e, String app, String pseudonym) {
        ObjectNode node = AggregationIT.MAPPER.valueToTree(e);
        node.put("app_id", app);
        if (ERASED.equals(e.receiverId())) {
            node.put("receiver_id", pseudonym);
        }
        return node;
    }

    /** Each record its own origin position: invalid_events keeps one record per position it was read at. */
    private static void sendInvalid(String app, String payload, Instant at) throws Exception {
        TestData.send(infra().bootstrapServers(), Topics.INVALID, app, AggregationIT.MAPPER.writeValueAsString(
                new InvalidEvent(app, "properties.post_id", "required", payload, Topics.RAW, 0, TestData.newOffset(), at)));
    }

    private static List<String> renamed(List<String> rows, String from, String to) {
        return rows.stream().map(r -> r.replace("\"" + from + "\"", "\"" + to + "\"")).sorted().toList();
    }

    private static List<String> facts(String app) throws SQLException {
        try (Connection c = infra().dataSource().getConnection()) {
            return FactTables.snapshot(c, app);
        }
    }

    /** The rows of other users in the per-user tables (a rebuild must not touch them). */
    private static List<String> othersRows(String app) throws SQLException {
        return facts(app).stream().filter(r -> r.contains("user_id=") && !r.contains("\"" + ERASED + "\"")
                && Stream.of("fact_user_daily ", "fact_daily_feed ", "user_first_seen ", "user_devices_cumulated ").anyMatch(r::startsWith))
                .collect(Collectors.toList());
    }

    private long dailyUsers(String app, LocalDate day) {
        return redis.hyperloglog(String.class).pfcount(RedisKeys.dailyUsers(app, day));
    }

    /**
     * The real-time views are rebuilt from the raw store's window (the last hour), so today's users there are those
     * of the window: every other user active in the last ten minutes is counted, nobody beyond today's other users,
     * and not the erased user (adding them to a copy of the HyperLogLog changes it).
     */
    private boolean rebuiltWithoutErased(String app, LocalDate day, List<EnrichedEvent> events, Instant now) {
        String key = RedisKeys.dailyUsers(app, day);
        String probe = key + ":probe";
        redis.key().del(probe);
        redis.hyperloglog(String.class).pfmerge(probe, key);
        boolean erasedAbsent = redis.hyperloglog(String.class).pfadd(probe, ERASED);
        redis.key().del(probe);
        long recent = events.stream().filter(e -> e.eventDate().equals(day) && !e.timestamp().isBefore(now.minusSeconds(600))
                && !e.userId().equals(ERASED)).map(EnrichedEvent::userId).distinct().count();
        long counted = dailyUsers(app, day);
        return erasedAbsent && counted >= recent && counted <= distinctUsers(events, day, false);
    }

    private static long distinctUsers(List<EnrichedEvent> events, LocalDate day, boolean withErased) {
        return events.stream().filter(e -> e.eventDate().equals(day) && (withErased || !e.userId().equals(ERASED)))
                .map(EnrichedEvent::userId).distinct().count();
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
