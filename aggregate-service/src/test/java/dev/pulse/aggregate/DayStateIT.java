package dev.pulse.aggregate;

import dev.pulse.aggregate.service.DayStateJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.schema.DayStateDimension;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

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

import static dev.pulse.aggregate.Stored.execute;
import static dev.pulse.aggregate.Stored.queryLong;
import static dev.pulse.aggregate.Stored.queryString;
import static dev.pulse.aggregate.Stored.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The day state the job builds from the rollups, through Kafka, against the raw store: per closed day and value of
 * every kept dimension, its users (ordinals read back to user ids) and events; rebuilt after a late event.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class DayStateIT {
    @Inject
    DayStateJob job;

    @Test
    void eachValueHoldsItsUsersAndEventsAsTheRawStoreHasThemAndALateEventRebuildsItsDay() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(5);
        Random random = new Random(33);
        send(app, events(app, random, first, 120));
        awaitBuilt(app, first, today.minusDays(2));
        assertStateEqualsTheRawStore(app, first, first.plusDays(1));

        // a new user's late event for the first day: the day is due again, and built with them
        EnrichedEvent late = AggregationIT.event(app, random, first.atTime(12, 0).toInstant(ZoneOffset.UTC), "late-user");
        send(app, List.of(late));
        awaitBuilt(app, first, today.minusDays(2));
        assertStateEqualsTheRawStore(app, first, first.plusDays(1));
        assertEquals(1L, queryLong("SELECT count(*) FROM user_ordinals WHERE app_id = '" + app + "' AND user_id = 'late-user'"));
    }

    @Test
    void lateEventsOfKnownUsersChangeTheStateInTheirBatchAsARebuildWould() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(5);
        LocalDate second = first.plusDays(1);
        Random random = new Random(34);
        List<EnrichedEvent> events = events(app, random, first, 120);
        // a user first seen on the second day, whose first day a late event moves back
        events.add(AggregationIT.event(app, random, second.atTime(9, 0).toInstant(ZoneOffset.UTC), "mover"));
        send(app, events);
        awaitBuilt(app, first, today.minusDays(2));
        String built = queryString("SELECT max(built_at)::text FROM day_state WHERE app_id = '" + app + "'");

        // late events of users who have ordinals, on both days: the batch changes each day's state, the job does not run
        List<EnrichedEvent> late = events(app, random, first, 30);
        late.add(AggregationIT.event(app, random, first.atTime(8, 0).toInstant(ZoneOffset.UTC), "mover"));
        String before = queryString("SELECT string_agg(event_date || ':' || day_version, ',' ORDER BY event_date) FROM day_state WHERE app_id = '" + app + "'");
        send(app, late);
        assertEquals(0, queryLong("""
                SELECT count(*) FROM day_state s WHERE s.app_id = '%1$s' AND s.event_date BETWEEN '%2$s' AND '%3$s'
                  AND s.day_version <> coalesce((SELECT version FROM closed_day_changes c WHERE c.app_id = '%1$s' AND c.event_date = s.event_date), 0)"""
                .formatted(app, first, second)), "each late day's state is current once its events are stored; before: " + before);
        assertEquals(built, queryString("SELECT max(built_at)::text FROM day_state WHERE app_id = '" + app + "'"), "no day was built again");
        assertStateEqualsTheRawStore(app, first, second);
        assertEquals("mover", queryString("SELECT string_agg(user_id, ',') FROM user_first_seen WHERE app_id = '" + app + "' AND user_id = 'mover' AND first_date = '"
                + first + "'"));

        // and what a build from the rollups gives, to the last bit and sum
        String changed = dump(app, first, second);
        execute("UPDATE day_state SET day_version = -1 WHERE app_id = '" + app + "'");
        awaitBuilt(app, first, today.minusDays(2));
        assertEquals(dump(app, first, second), changed);

        // a state row no build wrote: the batch stores its events all the same and leaves the day to the job
        assertEquals(1, execute("UPDATE day_values SET users = '\\x0102'::bytea WHERE app_id = '" + app + "' AND event_date = '" + first
                + "' AND dimension = ''"));
        send(app, List.of(AggregationIT.event(app, random, first.atTime(10, 0).toInstant(ZoneOffset.UTC), "mover")));
        assertEquals(1, queryLong("""
                SELECT count(*) FROM day_state s WHERE s.app_id = '%1$s' AND s.event_date = '%2$s'
                  AND s.day_version <> (SELECT version FROM closed_day_changes c WHERE c.app_id = '%1$s' AND c.event_date = s.event_date)"""
                .formatted(app, first)), "the day is stale");
        awaitBuilt(app, first, today.minusDays(2));
        assertStateEqualsTheRawStore(app, first, second);
    }

    /** The app's state of days {@code from..to}: each row's bitmaps as ordinals, its sums (doubles to 1e-6), the days' first users. */
    private static String dump(String app, LocalDate from, LocalDate to) throws SQLException {
        StringBuilder dump = new StringBuilder();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT v.*, s.first_users FROM day_values v JOIN day_state s USING (app_id, event_date)
                WHERE v.app_id = ? AND v.event_date BETWEEN ? AND ? ORDER BY v.event_date, v.dimension, v.value NULLS FIRST""")) {
            s.setString(1, app);
            s.setObject(2, from);
            s.setObject(3, to);
            try (ResultSet rs = s.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 2; i <= columns; i++) {
                        Object value = rs.getObject(i);
                        dump.append(switch (value) {
                            case byte[] bytes -> DayStateDimension.users(bytes).toString();
                            case Double d -> String.format("%.6f", d);
                            case null -> "null";
                            default -> value.toString();
                        }).append(' ');
                    }
                    dump.append('\n');
                }
            }
        }
        return dump.toString();
    }

    /** {@code count} events of users u0..u14 at random times of {@code first} and the day after. */
    static List<EnrichedEvent> events(String app, Random random, LocalDate first, int count) {
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LocalDate day = first.plusDays(random.nextInt(2));
            events.add(AggregationIT.event(app, random, day.atTime(random.nextInt(24), random.nextInt(60)).toInstant(ZoneOffset.UTC),
                    "u" + random.nextInt(15)));
        }
        return events;
    }

    private void awaitBuilt(String app, LocalDate from, LocalDate to) {
        awaitBuilt(job, app, from, to);
    }

    /** Runs the job until every day {@code from..to} has a state of its current versions. */
    static void awaitBuilt(DayStateJob job, String app, LocalDate from, LocalDate to) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            job.build().await().atMost(Duration.ofSeconds(30));
            return queryLong("""
                    SELECT count(*) FROM day_state s WHERE s.app_id = '%1$s' AND s.event_date BETWEEN '%2$s' AND '%3$s' AND s.held
                      AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = '%1$s'), 0)
                      AND s.day_version = coalesce((SELECT version FROM closed_day_changes c WHERE c.app_id = '%1$s' AND c.event_date = s.event_date), 0)"""
                    .formatted(app, from, to)) == from.datesUntil(to.plusDays(1)).count();
        });
    }

    /** Per day and value of every dimension the day holds, its users and events as the raw store has them; none of the others. */
    static void assertStateEqualsTheRawStore(String app, LocalDate from, LocalDate to) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            Map<Integer, String> users = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT ordinal, user_id FROM user_ordinals WHERE app_id = ?")) {
                s.setString(1, app);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        users.put(rs.getInt(1), rs.getString(2));
                    }
                }
            }
            for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                TreeSet<String> firstUsers = new TreeSet<>();
                try (PreparedStatement s = c.prepareStatement("SELECT first_users FROM day_state WHERE app_id = ? AND event_date = ?")) {
                    s.setString(1, app);
                    s.setObject(2, day);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        DayStateDimension.users(rs.getBytes(1)).forEach((int o) -> firstUsers.add(users.get(o)));
                    }
                }
                assertEquals(queryString("SELECT coalesce(string_agg(user_id, ',' ORDER BY user_id COLLATE \"C\"), '') FROM user_first_seen WHERE app_id = '" + app
                        + "' AND first_date = '" + day + "'"), String.join(",", firstUsers), day + " first users");
                java.util.Set<String> unheld = Stored.unheld("day_state", app, day);
                for (DayStateDimension dimension : DayStateDimension.values()) {
                    Map<String, String> expected = new TreeMap<>();
                    try (PreparedStatement s = c.prepareStatement("SELECT " + dimension.column() + ", array_agg(DISTINCT user_id ORDER BY user_id)::text, count(*)"
                            + " FROM events WHERE app_id = ? AND event_date = ? GROUP BY 1")) {
                        s.setString(1, app);
                        s.setObject(2, day);
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) {
                                expected.put(String.valueOf(rs.getString(1)), rs.getString(2) + " " + rs.getLong(3));
                            }
                        }
                    }
                    Map<String, String> actual = new TreeMap<>();
                    try (PreparedStatement s = c.prepareStatement("SELECT value, users, events FROM day_values WHERE app_id = ? AND event_date = ? AND dimension = ?")) {
                        s.setString(1, app);
                        s.setObject(2, day);
                        s.setString(3, dimension.apiName());
                        try (ResultSet rs = s.executeQuery()) {
                            while (rs.next()) {
                                TreeSet<String> ids = new TreeSet<>();
                                DayStateDimension.users(rs.getBytes(2)).forEach((int o) -> ids.add(users.get(o)));
                                actual.put(String.valueOf(rs.getString(1)), "{" + String.join(",", ids) + "} " + rs.getLong(3));
                            }
                        }
                    }
                    assertEquals(unheld.contains(dimension.apiName()) ? Map.of() : expected, actual, day + " " + dimension);
                }
            }
        }
    }
}
