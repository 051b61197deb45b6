package dev.pulse.aggregate;

import dev.pulse.aggregate.service.OpenDayStateJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.schema.DayStateDimension;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static dev.pulse.aggregate.Stored.execute;
import static dev.pulse.aggregate.Stored.queryLong;
import static dev.pulse.aggregate.Stored.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state of a day not over yet (V34), through Kafka: its base read by the job and the batches' shares added after
 * it equal the raw store per value of every kept dimension, also when the base is read again and again while batches
 * commit; merging its rows and reading the base anew give the same state.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class OpenDayStateIT {
    private static final String SESSIONS = "sessions|session_seconds|bounces|session_users";

    @Inject
    OpenDayStateJob job;

    @Test
    void theBaseAndEveryBatchsShareAreTheDayAsTheRawStoreHasItWhileTheBaseIsReadAgainAndAgain() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Random random = new Random(34);
        send(app, events(app, random, today, 60, 20));
        awaitBased(app, today);
        assertStateEqualsTheRawStore(app, today);

        // batches while the base is read again and again: each is in a base or adds its share after it, never both
        List<EnrichedEvent> more = events(app, new Random(35), today, 300, 40);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < more.size(); i += 30) {
                    send(app, more.subList(i, i + 30));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int bases = 0;
        while (!sending.isDone()) {
            execute("UPDATE open_day_state SET app_version = -1 WHERE app_id = '" + app + "'");
            awaitBased(app, today);
            bases++;
        }
        sending.join();
        assertTrue(bases > 1, "the base was read while batches came: " + bases);
        assertStateEqualsTheRawStore(app, today);

        // two replicas' jobs at once: the day's lock lets one read the base, and the other skips the day
        execute("UPDATE open_day_state SET app_version = -1 WHERE app_id = '" + app + "'");
        var one = job.base().subscribeAsCompletionStage();
        var other = job.base().subscribeAsCompletionStage();
        assertTrue(one.join() + other.join() >= 1, "a base was read");
        awaitBased(app, today);
        assertStateEqualsTheRawStore(app, today);

        // batches after the last base: their shares pile up, and a merge makes one row per value of them
        for (int i = 0; i < 6; i++) {
            send(app, events(app, new Random(40 + i), today, 20, 30));
        }
        assertStateEqualsTheRawStore(app, today);
        Map<String, String> shared = fold(app, today);
        assertTrue(queryLong("SELECT count(*) FROM day_value_deltas WHERE app_id = '" + app + "' AND dimension = ''") > 4, "the day's total has piled up");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            job.merge().await().atMost(Duration.ofSeconds(30));
            return queryLong("SELECT count(*) - count(DISTINCT (dimension, value)) FROM day_value_deltas WHERE app_id = '" + app + "'") == 0;
        });
        assertEquals(shared, fold(app, today));

        // the same day read from the rollups, to the last bit and sum
        execute("UPDATE open_day_state SET app_version = -1 WHERE app_id = '" + app + "'");
        awaitBased(app, today);
        assertEquals(shared, fold(app, today));
    }

    /** {@code count} events of users u0..u{users-1} on {@code day}, at times of the day before now. */
    static List<EnrichedEvent> events(String app, Random random, LocalDate day, int count, int users) {
        List<EnrichedEvent> events = new ArrayList<>();
        long seconds = Math.max(1, java.time.Instant.now().getEpochSecond() - day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        for (int i = 0; i < count; i++) {
            events.add(AggregationIT.event(app, random, day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextLong(seconds)),
                    "u" + random.nextInt(users)));
        }
        return events;
    }

    private void awaitBased(String app, LocalDate day) {
        awaitBased(job, app, day);
    }

    /** Runs the job until the day has a base of the app's current version. */
    static void awaitBased(OpenDayStateJob job, String app, LocalDate day) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            job.base().await().atMost(Duration.ofSeconds(30));
            return queryLong("""
                    SELECT count(*) FROM open_day_state s WHERE s.app_id = '%1$s' AND s.event_date = '%2$s' AND s.held
                      AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = '%1$s'), 0)"""
                    .formatted(app, day)) == 1;
        });
    }

    /** The day's rows ORed and summed per dimension and value, all but the session columns: bitmaps as ordinals, doubles to 1e-6. */
    private static Map<String, String> fold(String app, LocalDate day) throws SQLException {
        Map<String, List<Object>> folded = new TreeMap<>();
        List<String> names = new ArrayList<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT * FROM day_value_deltas WHERE app_id = ? AND event_date = ?")) {
            s.setString(1, app);
            s.setObject(2, day);
            try (ResultSet rs = s.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                for (int i = 5; i <= columns; i++) {
                    names.add(rs.getMetaData().getColumnName(i));
                }
                while (rs.next()) {
                    List<Object> sum = folded.computeIfAbsent(rs.getString(3) + "=" + rs.getString(4), k -> new ArrayList<>());
                    for (int i = 5; i <= columns; i++) {
                        Object value = rs.getObject(i);
                        Object add = value instanceof byte[] bytes ? DayStateDimension.users(bytes) : value;
                        if (sum.size() < i - 4) {
                            sum.add(add);
                        } else {
                            sum.set(i - 5, switch (add) {
                                case RoaringBitmap b -> RoaringBitmap.or((RoaringBitmap) sum.get(i - 5), b);
                                case Long l -> (Long) sum.get(i - 5) + l;
                                case Double d -> (Double) sum.get(i - 5) + d;
                                case BigDecimal d -> ((BigDecimal) sum.get(i - 5)).add(d);
                                default -> throw new IllegalStateException("column " + names.get(i - 5));
                            });
                        }
                    }
                }
            }
        }
        Map<String, String> dump = new TreeMap<>();
        folded.forEach((key, sums) -> {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < sums.size(); i++) {
                if (!names.get(i).matches(SESSIONS)) {
                    text.append(names.get(i)).append('=').append(switch (sums.get(i)) {
                        case Double d -> String.format("%.6f", d);
                        case BigDecimal d -> d.stripTrailingZeros().toPlainString();
                        default -> sums.get(i).toString();
                    }).append(' ');
                }
            }
            dump.put(key, text.toString());
        });
        return dump;
    }

    /**
     * Per dimension and value of the day: its users (ordinals read back to ids), viewers, likers, senders and events, as
     * the raw store has them; a dimension the day does not hold (open_day_state.unheld) has no rows once they are merged.
     */
    static void assertStateEqualsTheRawStore(String app, LocalDate day) throws SQLException {
        java.util.Set<String> unheld = Stored.unheld("open_day_state", app, day);
        Map<Integer, String> users = new HashMap<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT ordinal, user_id FROM user_ordinals WHERE app_id = ?")) {
            s.setString(1, app);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    users.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        Map<String, String> actual = new TreeMap<>();
        Map<String, RoaringBitmap[]> bitmaps = new HashMap<>();
        Map<String, Long> events = new HashMap<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT dimension, value, users, viewers, likers, senders, events FROM day_value_deltas"
                     + " WHERE app_id = ? AND event_date = ?")) {
            s.setString(1, app);
            s.setObject(2, day);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1) + "=" + rs.getString(2);
                    RoaringBitmap[] b = bitmaps.computeIfAbsent(key, k -> new RoaringBitmap[]{new RoaringBitmap(), new RoaringBitmap(),
                            new RoaringBitmap(), new RoaringBitmap()});
                    for (int i = 0; i < b.length; i++) {
                        b[i].or(DayStateDimension.users(rs.getBytes(3 + i)));
                    }
                    events.merge(key, rs.getLong(7), Long::sum);
                }
            }
        }
        bitmaps.forEach((key, b) -> actual.put(key, ids(b[0], users) + " " + ids(b[1], users) + " " + ids(b[2], users) + " " + ids(b[3], users)
                + " " + events.get(key)));
        // rows of a dimension not held are left until the next merge, which drops them
        actual.keySet().removeIf(key -> unheld.stream().anyMatch(name -> key.startsWith(name + "=")));
        Map<String, String> expected = new TreeMap<>();
        for (DayStateDimension dimension : DayStateDimension.values()) {
            if (unheld.contains(dimension.apiName())) {
                continue;
            }
            try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT " + dimension.column() + ", " + usersOf("true") + ", " + usersOf("event = 'feed.view'") + ", " + usersOf("event = 'feed.like'")
                            + ", " + usersOf("event = 'message.sent'") + ", count(*) FROM events WHERE app_id = ? AND event_date = ? GROUP BY 1")) {
                s.setString(1, app);
                s.setObject(2, day);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        expected.put(dimension.apiName() + "=" + rs.getString(1), "{" + rs.getString(2) + "} {" + rs.getString(3) + "} {"
                                + rs.getString(4) + "} {" + rs.getString(5) + "} " + rs.getLong(6));
                    }
                }
            }
        }
        assertEquals(expected, actual);
    }

    /** The ids of the group's users with an event that {@code condition} keeps, in order, comma-separated. */
    private static String usersOf(String condition) {
        return "coalesce(string_agg(DISTINCT user_id COLLATE \"C\", ',' ORDER BY user_id COLLATE \"C\") FILTER (WHERE " + condition + "), '')";
    }

    private static String ids(RoaringBitmap ordinals, Map<Integer, String> users) {
        TreeSet<String> ids = new TreeSet<>();
        ordinals.forEach((int o) -> ids.add(users.get(o)));
        return "{" + String.join(",", ids) + "}";
    }
}
