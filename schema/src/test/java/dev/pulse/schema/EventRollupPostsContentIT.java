package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * V37 rebuilds fact_user_event_daily of an installation with its post and content ids, V38 with its messages'
 * receivers: a row per user-day and event-side values of the raw store, ids and receivers included, keyed by them;
 * the closed days' states keep every other dimension and are due again.
 */
class EventRollupPostsContentIT {
    private record Side(String app, LocalDate day, String user, String event, Long post, String content, String receiver) {
    }

    @Test
    void theRowsBeforeV37AreRebuiltPerPostContentAndReceiverAndTheDayStatesKeptDueAgain() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             Connection c = postgres.getPostgresDatabase().getConnection()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").target("36").load().migrate();
            Random random = new Random(37);
            LocalDate first = LocalDate.of(2026, 11, 1);
            Map<Side, Integer> expected = new HashMap<>();
            try (Statement s = c.createStatement()) {
                for (String app : new String[] {"a1", "a2"}) {
                    s.execute("INSERT INTO apps (app_id, write_key_hash, read_token_hash) VALUES ('" + app + "', '" + app + "w', '" + app + "r')");
                }
            }
            try (PreparedStatement events = c.prepareStatement("""
                    INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, post_id, content_id,
                                        receiver_id)
                    VALUES (?, ?, ?, ?, ?, ?, 'feed', ?, ?, ?, ?)""")) {
                for (int i = 0; i < 3_000; i++) {
                    String app = random.nextBoolean() ? "a1" : "a2";
                    LocalDate day = first.plusDays(random.nextInt(3));
                    String user = "u" + random.nextInt(40);
                    String event = new String[] {"feed.view", "content.engagement", "message.sent"}[random.nextInt(3)];
                    // ids of either kind, or none; a post id of 0 and a content id of '' are values too
                    Long post = random.nextInt(4) == 0 ? null : (long) random.nextInt(6);
                    String content = random.nextInt(4) == 0 ? null : random.nextInt(8) == 0 ? "" : "c" + random.nextInt(4);
                    String receiver = event.equals("message.sent") && random.nextInt(6) > 0 ? "u" + random.nextInt(5) : null;
                    events.setString(1, app);
                    events.setObject(2, day);
                    events.setObject(3, UUID.randomUUID());
                    events.setObject(4, day.atTime(12, 0).atOffset(ZoneOffset.UTC));
                    events.setObject(5, day.atTime(12, 0).atOffset(ZoneOffset.UTC));
                    events.setString(6, event);
                    events.setString(7, user);
                    events.setObject(8, post);
                    events.setString(9, content);
                    events.setString(10, receiver);
                    events.addBatch();
                    expected.merge(new Side(app, day, user, event, post, content, receiver), 1, Integer::sum);
                }
                events.executeBatch();
            }
            try (Statement s = c.createStatement()) {
                s.execute("SELECT fact_user_event_daily_build('a1'), fact_user_event_daily_build('a2')");
                s.execute("INSERT INTO day_state VALUES ('a1', '" + first + "', 0, 0, '\\x'::bytea, true, now())");
            }

            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();

            Map<Side, Integer> rows = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT app_id, event_date, user_id, event, post_id, content_id, receiver_id, events FROM fact_user_event_daily")) {
                while (r.next()) {
                    Side side = new Side(r.getString(1), r.getObject(2, LocalDate.class), r.getString(3), r.getString(4), r.getObject(5, Long.class),
                            r.getString(6), r.getString(7));
                    assertEquals(null, rows.put(side, r.getInt(8)), "one row per user-day and values: " + side);
                }
            }
            assertEquals(expected, rows);
            // a closed day's state is kept for its other dimensions, without the ids, and due to be built again
            assertEquals(1, count(c, "SELECT count(*) FROM day_state WHERE unheld = '{post:id,content:id}' AND built_at = '-infinity'"));
            // the key tells ids and receivers apart: the same row again is refused, one with another post id or receiver is a row of its own
            try (Statement s = c.createStatement()) {
                SQLException duplicate = assertThrows(SQLException.class,
                        () -> s.execute("INSERT INTO fact_user_event_daily SELECT * FROM fact_user_event_daily WHERE post_id = 1 LIMIT 1"));
                assertEquals("23505", duplicate.getSQLState(), duplicate.getMessage());
                s.execute("CREATE TEMP TABLE other AS SELECT * FROM fact_user_event_daily WHERE post_id = 1 LIMIT 1");
                s.execute("UPDATE other SET post_id = -1");
                s.execute("INSERT INTO fact_user_event_daily SELECT * FROM other");
                s.execute("UPDATE other SET receiver_id = 'someone else'");
                s.execute("INSERT INTO fact_user_event_daily SELECT * FROM other");
            }
            assertEquals(rows.size() + 2, count(c, "SELECT count(*) FROM fact_user_event_daily"));
        }
    }

    /**
     * V38 from V37: the user-days with a receiver are rebuilt with it; every other row stays as it was, a day whose raw
     * events are gone included.
     */
    @Test
    void v38RebuildsTheUserDaysWithAReceiverAndKeepsTheRest() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").target("37").load().migrate();
            s.execute("INSERT INTO apps (app_id, write_key_hash, read_token_hash) VALUES ('a1', 'w', 'r')");
            LocalDate day = LocalDate.of(2026, 11, 2);
            // u1 sends to r1 twice and r2 once and views a post; u2 only views
            String[][] events = {{"u1", "message.sent", "r1"}, {"u1", "message.sent", "r1"}, {"u1", "message.sent", "r2"}, {"u1", "feed.view", null},
                {"u2", "feed.view", null}};
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, receiver_id)
                    VALUES ('a1', ?, ?, ?, ?, ?, 'x', ?, ?)""")) {
                for (String[] e : events) {
                    insert.setObject(1, day);
                    insert.setObject(2, UUID.randomUUID());
                    insert.setObject(3, day.atTime(12, 0).atOffset(ZoneOffset.UTC));
                    insert.setObject(4, day.atTime(12, 0).atOffset(ZoneOffset.UTC));
                    insert.setString(5, e[1]);
                    insert.setString(6, e[0]);
                    insert.setString(7, e[2]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            s.execute("SELECT fact_user_event_daily_build('a1')");
            // a day whose raw partition is gone: its rollup row is all that is left of it
            s.execute("CREATE TEMP TABLE gone AS SELECT * FROM fact_user_event_daily WHERE user_id = 'u2'");
            s.execute("UPDATE gone SET event_date = date '2025-01-01'");
            s.execute("INSERT INTO fact_user_event_daily SELECT * FROM gone");
            String u2 = rows(c, "SELECT event_date, event, events FROM fact_user_event_daily WHERE user_id = 'u2' ORDER BY 1");

            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();

            assertEquals("2025-01-01 feed.view 1|2026-11-02 feed.view 1", u2, "the rows before");
            assertEquals(u2, rows(c, "SELECT event_date, event, events FROM fact_user_event_daily WHERE user_id = 'u2' ORDER BY 1"), "kept as they were");
            assertEquals("feed.view null 1|message.sent r1 2|message.sent r2 1",
                    rows(c, "SELECT event, receiver_id, events FROM fact_user_event_daily WHERE user_id = 'u1' ORDER BY 1, 2"), "u1's day, per receiver");
        }
    }

    /** The rows' columns, space-separated, rows joined by '|'. */
    private static String rows(Connection c, String sql) throws SQLException {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                java.util.List<String> columns = new java.util.ArrayList<>();
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    columns.add(String.valueOf(r.getString(i)));
                }
                rows.add(String.join(" ", columns));
            }
        }
        return String.join("|", rows);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
