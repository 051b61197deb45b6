package dev.pulse.aggregate.repository;

import dev.pulse.contract.ErasureCommand;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * aggregate's part of a user's erasure, statement by statement, all within the caller's transaction: the user's
 * raw events and per-user rows go, other users' events that name the user (as a message's receiver) get the
 * erasure's pseudonym instead, and {@code aggregate_erasures} records completion with the rows touched per table.
 */
@ApplicationScoped
public class ErasureRepository {
    /** Tables keyed by the user, deleted on every day (also days whose raw events retention has dropped). */
    private static final List<String> USER_TABLES = List.of("fact_daily_feed", "feed_user_posts", "fact_daily_messenger",
            "post_daily_users", "content_daily_players", "fact_user_daily", "fact_user_event_daily", "host_daily_visitors", "user_first_seen",
            "user_devices_cumulated", "user_event_times", "user_day_session_ends", "user_ordinals");
    /* $1 app, $2 user, $3 pseudonym */
    private static final String PSEUDONYMISE_RECEIVER = """
            UPDATE events SET receiver_id = $3,
                   properties = CASE WHEN properties ? 'receiver_id' THEN jsonb_set(properties, '{receiver_id}', to_jsonb($3::text)) ELSE properties END
            WHERE app_id = $1 AND receiver_id = $2""";
    /*
     * $1 app, $2 user: the day's row of each post no one but the user viewed or liked that day, by the event rollup (read
     * before its rows of the user go). Days whose raw events are gone are not rebuilt, and query-api counts a day's posts
     * from fact_daily_posts (V39): without this, a post only the erased user touched would still count there. One pass
     * over the user's days' rows; a post's other figures on such a day keep the user's share (README, "Erasure").
     */
    private static final String POSTS_ONLY_THEIRS = """
            DELETE FROM fact_daily_posts p USING (
                SELECT r.event_date, r.post_id FROM fact_user_event_daily r
                WHERE r.app_id = $1 AND r.post_id IS NOT NULL
                  AND r.event_date IN (SELECT event_date FROM fact_user_event_daily WHERE app_id = $1 AND user_id = $2 AND post_id IS NOT NULL)
                GROUP BY 1, 2 HAVING bool_and(r.user_id = $2)) t
            WHERE p.app_id = $1 AND p.event_date = t.event_date AND p.post_id = t.post_id""";
    /*
     * invalid records carry the refused payload as sent: those naming the user as a JSON string go ($2), and, for an
     * id that events may carry as a JSON integer (its decimal string is the user id), those with it as the number ($3)
     */
    private static final String INVALID_EVENTS = "DELETE FROM invalid_events WHERE app_id = $1 AND (strpos(payload, $2) > 0 OR payload ~ $3)";
    private static final Pattern INTEGER_ID = Pattern.compile("0|-?[1-9][0-9]*");
    /* a day the erasure emptied: dates where no one is left on a host, then what a build of the rest would not have */
    private static final String HOST_DATES = """
            UPDATE hosts_cumulated h SET dates_active = array_remove(h.dates_active, d.day)
            FROM unnest($2::date[]) AS d(day)
            WHERE h.app_id = $1 AND h.month_start = date_trunc('month', d.day)::date AND d.day = ANY (h.dates_active)
              AND NOT EXISTS (SELECT 1 FROM host_daily_visitors v WHERE v.app_id = h.app_id AND v.host = h.host AND v.event_date = d.day)""";
    private static final List<String> EMPTIED = List.of(
            "DELETE FROM hosts_cumulated WHERE app_id = $1 AND cardinality(dates_active) = 0",
            """
            DELETE FROM host_activity_reduced WHERE app_id = $1 AND month_start IN (SELECT date_trunc('month', d)::date FROM unnest($2::date[]) AS d)
              AND 0 = ALL (hit_array)""",
            """
            DELETE FROM quality_daily WHERE app_id = $1 AND event_date = ANY ($2::date[])
              AND accepted = 0 AND duplicates = 0 AND late = 0 AND clamped = 0""");

    /** @return false when this erasure was done before: a redelivered command */
    public Uni<Boolean> claim(SqlConnection connection, ErasureCommand command) {
        return connection.preparedQuery("""
                        INSERT INTO aggregate_erasures (erasure_id, app_id, deleted_rows) VALUES ($1, $2, '{}')
                        ON CONFLICT DO NOTHING RETURNING erasure_id""")
                .execute(Tuple.of(command.erasureId(), command.appId())).map(rows -> rows.size() == 1);
    }

    /** The app-days whose facts involve the user: their own events' and those naming them as receiver. */
    public Uni<TreeSet<LocalDate>> days(SqlConnection connection, ErasureCommand command) {
        return connection.preparedQuery("""
                        SELECT DISTINCT event_date FROM events WHERE app_id = $1 AND user_id = $2
                        UNION SELECT DISTINCT event_date FROM events WHERE app_id = $1 AND receiver_id = $2""")
                .execute(Tuple.of(command.appId(), command.userId())).map(rows -> {
                    TreeSet<LocalDate> days = new TreeSet<>();
                    for (Row row : rows) {
                        days.add(row.getLocalDate("event_date"));
                    }
                    return days;
                });
    }

    /** Deletes and rewrites what names the user; @return rows per table, in order */
    public Uni<Map<String, Long>> erase(SqlConnection connection, ErasureCommand command) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Tuple user = Tuple.of(command.appId(), command.userId());
        Tuple renamed = Tuple.of(command.appId(), command.userId(), command.pseudonym());
        Uni<Void> chain = Sql.count(connection, "DELETE FROM events WHERE app_id = $1 AND user_id = $2", user, "events", counts)
                .flatMap(x -> Sql.count(connection, PSEUDONYMISE_RECEIVER, renamed, "events_naming_user_as_receiver", counts))
                .flatMap(x -> Sql.count(connection, INVALID_EVENTS, Tuple.of(command.appId(), Json.encode(command.userId()), asNumber(command.userId())),
                        "invalid_events", counts))
                .flatMap(x -> Sql.count(connection, POSTS_ONLY_THEIRS, user, "fact_daily_posts_only_theirs", counts));
        for (String table : USER_TABLES) {
            chain = chain.flatMap(x -> Sql.count(connection, "DELETE FROM " + table + " WHERE app_id = $1 AND user_id = $2", user, table, counts));
        }
        // the day state holds the user's ordinal in its bitmaps: the app's goes, and aggregate's jobs build it again without them
        for (String table : List.of("day_state", "day_values", "open_day_state", "day_value_deltas")) {
            chain = chain.flatMap(x -> Sql.count(connection, "DELETE FROM " + table + " WHERE app_id = $1", Tuple.of(command.appId()), table, counts));
        }
        return chain
                .flatMap(x -> Sql.count(connection, "DELETE FROM fact_user_connections WHERE app_id = $1 AND sender_id = $2", user,
                        "fact_user_connections", counts))
                .flatMap(x -> Sql.count(connection, "UPDATE fact_user_connections SET receiver_id = $3 WHERE app_id = $1 AND receiver_id = $2",
                        renamed, "fact_user_connections_naming_user_as_receiver", counts))
                // every day's, as the connections': the days rebuilt after this are only those whose raw events are still kept.
                // No index by receiver: like the delete of the user's own rows above, a pass over the app's rows (erasures are rare)
                .flatMap(x -> Sql.count(connection, "UPDATE fact_user_event_daily SET receiver_id = $3 WHERE app_id = $1 AND receiver_id = $2",
                        renamed, "fact_user_event_daily_naming_user_as_receiver", counts))
                .replaceWith(counts);
    }

    /** A regular expression for the id as a JSON number where a payload names a user, or null when it cannot be one. */
    static String asNumber(String userId) {
        return INTEGER_ID.matcher(userId).matches() ? "\"(user_id|receiver_id)\"\\s*:\\s*" + userId + "(?![0-9.eE])" : null;
    }

    /** After the affected days were rebuilt: drops what only the user had made exist, as a build without them would. */
    public Uni<Void> dropEmptied(SqlConnection connection, String appId, TreeSet<LocalDate> days) {
        Tuple tuple = Tuple.of(appId, days.toArray(LocalDate[]::new));
        Uni<Void> chain = connection.preparedQuery(HOST_DATES).execute(tuple).replaceWithVoid();
        for (String sql : EMPTIED) {
            chain = chain.flatMap(x -> connection.preparedQuery(sql).execute(sql.contains("$2") ? tuple : Tuple.of(appId)).replaceWithVoid());
        }
        return chain;
    }

    public Uni<Void> complete(SqlConnection connection, ErasureCommand command, Map<String, Long> counts) {
        JsonObject json = new JsonObject();
        counts.forEach(json::put);
        return connection.preparedQuery("UPDATE aggregate_erasures SET deleted_rows = $2, completed_at = now() WHERE app_id = $3 AND erasure_id = $1")
                .execute(Tuple.of(command.erasureId(), json, command.appId())).replaceWithVoid();
    }
}
