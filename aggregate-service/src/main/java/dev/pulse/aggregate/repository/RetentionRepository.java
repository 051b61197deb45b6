package dev.pulse.aggregate.repository;

import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;

/**
 * Per-app retention ({@code apps.retention_days}, written by ingest-service's admin API, read here): raw events,
 * invalid events and every per-user row of days before the cutoff are deleted. Aggregates without user ids
 * (post, content and host facts, quality counters and snapshots) are kept.
 */
@ApplicationScoped
public class RetentionRepository {
    /**
     * An app with a retention: rows of days before {@code cutoff} (app-local), and invalid records before its start
     * ({@code cutoffInstant}), go.
     */
    public record Due(String appId, ZoneId zone, LocalDate cutoff) {
        /** The first day kept: {@code days} before today in the app's zone (read in Java, as enrich-service dates events). */
        static Due of(String appId, String timezone, int days, Instant now) {
            ZoneId zone = ZoneId.of(timezone);
            return new Due(appId, zone, now.atZone(zone).toLocalDate().minusDays(days));
        }

        public Instant cutoffInstant() {
            return cutoff.atStartOfDay(zone).toInstant();
        }
    }

    private static final String DUE = "SELECT app_id, timezone, retention_days FROM apps WHERE retention_days IS NOT NULL ORDER BY app_id";
    private static final String FIRST_KEPT = "SELECT app_id, timezone, retention_days FROM apps WHERE app_id = $1 AND retention_days IS NOT NULL";
    /** Tables with rows per day that name users (the day state by their ordinals). */
    private static final List<String> USER_DAY_TABLES = List.of("events", "fact_daily_feed", "feed_user_posts", "fact_daily_messenger",
            "fact_user_connections", "post_daily_users", "content_daily_players", "fact_user_daily", "fact_user_event_daily", "host_daily_visitors",
            "user_day_session_ends", "day_state", "day_values", "open_day_state", "day_value_deltas");
    private static final String DEVICE_DATES = """
            UPDATE user_devices_cumulated SET dates_active = ARRAY(SELECT d FROM unnest(dates_active) AS d WHERE d >= $2 ORDER BY d)
            WHERE app_id = $1 AND dates_active[1] < $2""";
    /* the funnels' event times: whole weeks before the cutoff's (the times of that week before it go with EventTimesRepository.cut) */
    private static final String EVENT_TIMES = "DELETE FROM user_event_times WHERE app_id = $1 AND week_start < date_trunc('week', $2::date)::date";
    /* a user still active within retention keeps their first day, or they would count as new again */
    /* the day state's numbers of users retention has forgotten (their days' state went with the days) */
    private static final String ORDINALS = """
            DELETE FROM user_ordinals o WHERE o.app_id = $1
              AND NOT EXISTS (SELECT 1 FROM user_first_seen f WHERE f.app_id = o.app_id AND f.user_id = o.user_id)""";
    private static final String FIRST_SEEN = """
            DELETE FROM user_first_seen u WHERE u.app_id = $1 AND u.first_date < $2
              AND NOT EXISTS (SELECT 1 FROM fact_user_daily f WHERE f.app_id = u.app_id AND f.user_id = u.user_id)""";

    private final Pool pool;
    private final EventTimesRepository eventTimes;

    public RetentionRepository(Pool pool, EventTimesRepository eventTimes) {
        this.pool = pool;
        this.eventTimes = eventTimes;
    }

    public Uni<List<Due>> due(Instant now) {
        return pool.preparedQuery(DUE).execute().map(rows -> {
            List<Due> due = new ArrayList<>();
            for (Row row : rows) {
                due.add(due(row, now));
            }
            return due;
        });
    }

    /** The app's first day whose raw events retention keeps (app-local), or empty when it has no retention of its own. */
    public Uni<Optional<LocalDate>> firstKeptDay(String appId, Instant now) {
        return pool.preparedQuery(FIRST_KEPT).execute(Tuple.of(appId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(due(rows.iterator().next(), now).cutoff()));
    }

    private static Due due(Row row, Instant now) {
        return Due.of(row.getString("app_id"), row.getString("timezone"), row.getInteger("retention_days"), now);
    }

    /** Only one replica enforces an app's retention at a time; @return false when another holds it */
    public Uni<Boolean> tryLock(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended('pulse-retention:' || $1, 0)) AS locked")
                .execute(Tuple.of(appId)).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /** What only the day state holds: deleting it changes no answer, so it alone does not bump the app's version. */
    private static final Set<String> STATE_ONLY = Set.of("day_state", "day_values", "open_day_state", "day_value_deltas", "user_ordinals");

    /** Whether what retention deleted changes answers about the app's past (and cached ones must go). */
    public static boolean changesAnswers(Map<String, Long> deleted) {
        return deleted.entrySet().stream().anyMatch(e -> e.getValue() > 0 && !STATE_ONLY.contains(e.getKey()));
    }

    /** @return rows deleted (or trimmed) per table */
    public Uni<Map<String, Long>> delete(SqlConnection connection, Due due) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Tuple day = Tuple.of(due.appId(), due.cutoff());
        Uni<Void> chain = Sql.count(connection, "DELETE FROM invalid_events WHERE app_id = $1 AND rejected_at < $2",
                Tuple.of(due.appId(), OffsetDateTime.ofInstant(due.cutoffInstant(), ZoneOffset.UTC)), "invalid_events", counts);
        for (String table : USER_DAY_TABLES) {
            chain = chain.flatMap(x -> Sql.count(connection, "DELETE FROM " + table + " WHERE app_id = $1 AND event_date < $2", day, table, counts));
        }
        return chain
                .flatMap(x -> Sql.count(connection, DEVICE_DATES, day, "user_devices_cumulated", counts))
                .flatMap(x -> Sql.count(connection, "DELETE FROM user_devices_cumulated WHERE app_id = $1 AND cardinality(dates_active) = 0",
                        Tuple.of(due.appId()), "user_devices_cumulated_emptied", counts))
                .flatMap(x -> Sql.count(connection, EVENT_TIMES, day, "user_event_times", counts))
                .flatMap(x -> eventTimes.cut(connection, due.appId(), due.zone(), EventTimes.weekStart(due.cutoff()), due.cutoff()))
                .flatMap(x -> Sql.count(connection, FIRST_SEEN, day, "user_first_seen", counts))
                .flatMap(x -> Sql.count(connection, ORDINALS, Tuple.of(due.appId()), "user_ordinals", counts))
                .replaceWith(counts);
    }
}
