package dev.pulse.query;

import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.testing.PulseInfrastructure;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A generated dataset written to the raw store as aggregate-service would store it, with user_first_seen,
 * so that query answers can be checked against computations over {@link #events}.
 */
final class QueryFixture {
    record Ev(String user, String event, Instant ts, LocalDate date, String country, Long postId, String receiver,
            double revenue, String device) {
    }

    final List<Ev> events = new ArrayList<>();

    QueryFixture(String app, ZoneId zone, LocalDate firstDay, int days, long seed) {
        this(app, zone, firstDay, days, seed, 25, 6);
    }

    /** With {@code users} users and feed events about {@code posts} posts (few of both: many events per user, day and post). */
    QueryFixture(String app, ZoneId zone, LocalDate firstDay, int days, long seed, int users, int posts) {
        this(app, zone, firstDay, days, seed, users, posts, 800);
    }

    /** With {@code count} events of {@code users} users. */
    QueryFixture(String app, ZoneId zone, LocalDate firstDay, int days, long seed, int users, int posts, int count) {
        Random random = new Random(seed);
        String[] names = {"feed.view", "feed.like", "message.sent", "purchase", "signup", "page_view"};
        String[] countries = {"DE", "FR", null};
        Instant start = firstDay.atStartOfDay(zone).toInstant();
        for (int i = 0; i < count; i++) {
            // some events near midnight, to exercise the app-local day boundaries
            long second = random.nextBoolean() ? random.nextInt(days * 86_400) : random.nextInt(days) * 86_400L + 86_400 - 1 - random.nextInt(120);
            Instant ts = start.plusSeconds(second);
            String user = "u" + random.nextInt(users);
            String event = names[random.nextInt(names.length)];
            events.add(new Ev(user, event, ts, ts.atZone(zone).toLocalDate(), countries[Math.floorMod(user.hashCode(), 3)],
                    event.startsWith("feed.") ? (long) random.nextInt(posts) : null,
                    event.equals("message.sent") ? "u" + random.nextInt(users) : null,
                    event.equals("purchase") ? random.nextInt(1000) / 100.0 : 0, random.nextBoolean() ? "mobile" : "desktop"));
        }
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id,
                         post_id, receiver_id, revenue, country, device, host)
                     VALUES (?, ?, gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
             PreparedStatement first = c.prepareStatement("""
                     INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts, first_feed_date, first_messenger_date)
                     VALUES (?, ?, ?, ?, ?, ?)""")) {
            for (Ev e : events) {
                insert.setString(1, app);
                insert.setObject(2, e.date());
                insert.setTimestamp(3, Timestamp.from(e.ts()));
                insert.setTimestamp(4, Timestamp.from(e.ts()));
                insert.setString(5, e.event());
                insert.setString(6, EventCatalog.category(e.event()).value());
                insert.setString(7, e.user());
                insert.setObject(8, e.postId());
                insert.setString(9, e.receiver());
                insert.setObject(10, e.event().equals("purchase") ? java.math.BigDecimal.valueOf(e.revenue()) : null);
                insert.setString(11, e.country());
                insert.setString(12, e.device());
                insert.setString(13, host(e));
                insert.addBatch();
            }
            insert.executeBatch();
            Map<String, Ev> firsts = new HashMap<>();
            events.forEach(e -> firsts.merge(e.user(), e, (a, b) -> a.ts().isBefore(b.ts()) ? a : b));
            for (Ev e : firsts.values()) {
                first.setString(1, app);
                first.setString(2, e.user());
                first.setObject(3, e.date());
                first.setTimestamp(4, Timestamp.from(e.ts()));
                first.setObject(5, firstDay(e.user(), ev -> ev.event().startsWith("feed.")));
                first.setObject(6, firstDay(e.user(), ev -> ev.event().equals("message.sent")));
                first.addBatch();
            }
            first.executeBatch();
            rollUp(c, app);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Page views are on one of two hosts, by user; other events have none. */
    static String host(Ev e) {
        return e.event().equals("page_view") ? "h" + Math.floorMod(e.user().hashCode(), 2) + ".example" : null;
    }

    /** The user's first day with an event of the kind, null without one. */
    LocalDate firstDay(String user, java.util.function.Predicate<Ev> kind) {
        return events.stream().filter(e -> e.user().equals(user) && kind.test(e)).map(Ev::date).min(LocalDate::compareTo).orElse(null);
    }

    /**
     * The per-user daily rollup (sessions included), the posts' and connections' daily facts and the funnels' state of the
     * app's raw events, as V26's, V39's and V25's functions build them (aggregate's tests check each against what it keeps).
     */
    static void rollUp(Connection c, String app) throws SQLException {
        try (PreparedStatement rollup = c.prepareStatement("SELECT fact_user_daily_rebuild(?)");
             PreparedStatement facts = c.prepareStatement("SELECT post_and_connection_facts_rebuild(?)");
             PreparedStatement state = c.prepareStatement("SELECT user_event_times_rebuild(?)")) {
            rollup.setString(1, app);
            rollup.execute();
            facts.setString(1, app);
            facts.execute();
            state.setString(1, app);
            state.execute();
        }
    }
}
