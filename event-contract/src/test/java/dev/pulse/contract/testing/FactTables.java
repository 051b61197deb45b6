package dev.pulse.contract.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Every row aggregate-service derives from an app's events, comparable across two points in time. */
public final class FactTables {
    /** Each table aggregation maintains from the raw store (SPEC §4 and the helper tables behind it). */
    public static final List<String> TABLES = List.of("fact_daily_feed", "feed_user_posts", "fact_daily_messenger", "fact_daily_posts",
            "post_daily_users", "content_daily_players", "fact_user_connections", "fact_content_engagement_daily", "fact_user_daily",
            "fact_user_event_daily", "host_activity_reduced", "host_daily_visitors", "user_first_seen", "user_devices_cumulated", "hosts_cumulated",
            "quality_daily", "user_event_times");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FactTables() {
    }

    /**
     * The funnels' state as the set each row stands for, ascending and distinct: a row holds its batches' parts in the
     * order they came (V41), which a replay or a recompute need not repeat.
     */
    private static final String EVENT_TIMES_AS_SETS = """
            (SELECT app_id, week_start, event, user_id,
                    CASE WHEN times IS NOT NULL THEN user_event_times_encode(ARRAY(SELECT user_event_times_decode(times))) END AS times
             FROM user_event_times)""";

    /**
     * Every row of the app, sorted, numbers rounded (a replay may sum floating values in another order), the funnels'
     * state's times as sets.
     */
    public static List<String> snapshot(Connection connection, String app) throws SQLException {
        List<String> rows = new ArrayList<>();
        for (String table : TABLES) {
            String from = table.equals("user_event_times") ? EVENT_TIMES_AS_SETS : table;
            try (PreparedStatement s = connection.prepareStatement("SELECT row_to_json(t)::text FROM " + from + " t WHERE app_id = ?")) {
                s.setString(1, app);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(table + " " + rounded(rs.getString(1)));
                    }
                }
            }
        }
        Collections.sort(rows);
        return rows;
    }

    /**
     * The funnels' state against its definition over the raw store: each (event, week, user, microsecond) of the
     * app's stored events, and no other; a time at most as often as stored events have it (a row holds its batches'
     * parts, so two events at one microsecond stored by two batches are there twice, V41; a replay adds nothing); no
     * empty row; each row's times within its bounds; rows given up for too many times (NULL) stand for any. @return
     * times that differ or repeat too often, and rows empty or out of their bounds
     */
    public static long eventTimesDifferences(Connection connection, String app) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                WITH state AS (
                    SELECT u.event, u.week_start, u.user_id, t AS micros, count(*) AS n
                    FROM user_event_times u, user_event_times_decode(u.times) AS t WHERE u.app_id = ? GROUP BY 1, 2, 3, 4),
                stored AS (
                    SELECT e.event, date_trunc('week', e.event_date)::date AS week_start, e.user_id,
                           (extract(epoch FROM e.event_ts) * 1000000)::bigint AS micros, count(*) AS n
                    FROM events e WHERE e.app_id = ?
                      AND NOT EXISTS (SELECT 1 FROM user_event_times g WHERE g.app_id = e.app_id AND g.times IS NULL AND g.user_id = e.user_id
                                      AND g.event = e.event AND g.week_start = date_trunc('week', e.event_date)::date)
                    GROUP BY 1, 2, 3, 4)
                SELECT (SELECT count(*) FROM state s FULL JOIN stored r USING (event, week_start, user_id, micros)
                        WHERE s.n IS NULL OR r.n IS NULL OR s.n > r.n)
                     + (SELECT count(*) FROM user_event_times WHERE app_id = ? AND length(times) = 0)
                     -- a row's bounds (V41) hold its times
                     + (SELECT count(*) FROM user_event_times u WHERE u.app_id = ?
                        AND EXISTS (SELECT 1 FROM user_event_times_decode(u.times) AS t WHERE t < u.first_micros OR t > u.last_micros))""")) {
            s.setString(1, app);
            s.setString(2, app);
            s.setString(3, app);
            s.setString(4, app);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Rows only in {@code before} ("- row") and only in {@code after} ("+ row"), counting repeats. */
    public static List<String> differences(List<String> before, List<String> after) {
        List<String> removed = new ArrayList<>(before);
        List<String> added = new ArrayList<>();
        for (String row : after) {
            if (!removed.remove(row)) {
                added.add("+ " + row);
            }
        }
        List<String> differences = new ArrayList<>(removed.stream().map(row -> "- " + row).toList());
        differences.addAll(added);
        return differences;
    }

    private static String rounded(String json) {
        try {
            JsonNode row = JSON.readTree(json);
            StringBuilder out = new StringBuilder();
            row.properties().forEach(f -> out.append(f.getKey()).append('=').append(f.getValue().isNumber()
                    ? String.format(Locale.ROOT, "%.6f", f.getValue().asDouble()) : f.getValue().toString()).append(' '));
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
