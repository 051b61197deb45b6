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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The daily close's statements: which app-days have ended, the facts-against-raw-store check, the snapshot. */
@ApplicationScoped
public class DailyCloseRepository {
    /** An app-day that has ended in the app's timezone and has no snapshot yet. */
    public record DueDay(String appId, String timezone, LocalDate date) {
    }

    /**
     * The counts the incremental path must agree on with the raw store. Each is cheap (index ranges of one
     * app-day) and each fact family has one: the rollups (per traits; per traits and event side), quality counters, feed facts, the reduced host arrays and
     * the funnels' event times (the day's distinct times per name and user; rows given up for too many left out), the
     * sessions (each rollup row's count, bounces and seconds against what the day's stored events make with the app's timeout, once kept with it).
     */
    public record Check(long rawEvents, long rawUsers, long rollupEvents, long rollupUsers, long eventRollupDifferences, long countedAccepted,
            long rawViews, long feedViews, long rawHits, long reducedHits, long rawTimes, long stateTimes, boolean sessionsAgree) {
        public boolean consistent() {
            return rawEvents == rollupEvents && rawUsers == rollupUsers && eventRollupDifferences == 0 && rawEvents == countedAccepted
                    && rawViews == feedViews && rawHits == reducedHits && rawTimes == stateTimes && sessionsAgree;
        }
    }

    private static final String DUE = """
            SELECT a.app_id, a.timezone, d::date AS day
            FROM apps a
            CROSS JOIN LATERAL generate_series(
                    greatest((a.created_at AT TIME ZONE a.timezone)::date, ($1::timestamptz AT TIME ZONE a.timezone)::date - $2::int),
                    ($1::timestamptz AT TIME ZONE a.timezone)::date - 1, interval '1 day') AS d
            WHERE NOT EXISTS (SELECT 1 FROM quality_snapshot_daily s WHERE s.app_id = a.app_id AND s.event_date = d::date)
              -- a day past the app's retention has lost its raw events: "repairing" it would wipe the aggregates kept
              AND (a.retention_days IS NULL OR d::date >= ($1::timestamptz AT TIME ZONE a.timezone)::date - a.retention_days)
            ORDER BY a.app_id, day""";

    // one statement, so one snapshot of the database: a batch committing meanwhile is either all in or all out
    private static final String CHECK = """
            SELECT
              (SELECT count(*) FROM events WHERE app_id = $1 AND event_date = $2) AS raw_events,
              (SELECT count(DISTINCT user_id) FROM events WHERE app_id = $1 AND event_date = $2) AS raw_users,
              (SELECT coalesce(sum(events), 0) FROM fact_user_daily WHERE app_id = $1 AND event_date = $2) AS rollup_events,
              (SELECT count(DISTINCT user_id) FROM fact_user_daily WHERE app_id = $1 AND event_date = $2) AS rollup_users,
              -- every event-side row with its events, both ways (set operations compare NULLs as equal); the day's raw
              -- rows are grouped once
              (WITH raw AS (SELECT user_id, event, category, device, host, content_type, post_id, content_id, receiver_id, gender, age,
                                   user_os, source, country, city, exp_group, count(*)::int AS events
                            FROM events WHERE app_id = $1 AND event_date = $2 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
                    kept AS (SELECT user_id, event, category, device, host, content_type, post_id, content_id, receiver_id, gender, age,
                                    user_os, source, country, city, exp_group, events
                             FROM fact_user_event_daily WHERE app_id = $1 AND event_date = $2)
               SELECT count(*) FROM ((TABLE raw EXCEPT ALL TABLE kept) UNION ALL (TABLE kept EXCEPT ALL TABLE raw)) d)
                AS event_rollup_differences,
              (SELECT coalesce(sum(accepted), 0) FROM quality_daily WHERE app_id = $1 AND event_date = $2) AS counted,
              (SELECT count(*) FROM events WHERE app_id = $1 AND event_date = $2 AND event = 'feed.view') AS raw_views,
              (SELECT coalesce(sum(views), 0) FROM fact_daily_feed WHERE app_id = $1 AND event_date = $2) AS feed_views,
              (SELECT count(*) FROM events WHERE app_id = $1 AND event_date = $2 AND host IS NOT NULL) AS raw_hits,
              (SELECT coalesce(sum(hit_array[$3::int]), 0) FROM host_activity_reduced
                 WHERE app_id = $1 AND month_start = $4) AS reduced_hits,
              (SELECT count(*) FROM (SELECT DISTINCT e.event, e.user_id, e.event_ts FROM events e
                 WHERE e.app_id = $1 AND e.event_date = $2 AND NOT EXISTS (SELECT 1 FROM user_event_times g
                   WHERE g.app_id = $1 AND g.week_start = $5 AND g.event = e.event AND g.user_id = e.user_id AND g.times IS NULL)) AS d) AS raw_times,
              -- a row's times in no order, a time maybe twice (V41): the rows whose bounds meet the day decoded, the
              -- distinct times counted
              (SELECT count(*) FROM (SELECT DISTINCT u.event, u.user_id, t FROM user_event_times u, user_event_times_decode(u.times) AS t
                 WHERE u.app_id = $1 AND u.week_start = $5 AND u.first_micros < $7 AND u.last_micros >= $6 AND t >= $6 AND t < $7) AS d)
                AS state_times,
              -- while the kept sessions do not follow the app's timeout (a change not yet rebuilt) query-api does not read them
              NOT user_day_sessions_current($1) OR user_day_sessions_differences($1, $2) = 0 AS sessions_agree""";

    private static final String SNAPSHOT = """
            INSERT INTO quality_snapshot_daily (app_id, event_date, accepted, active_users, rejected, rejected_by_reason,
                duplicates, late, clock_clamped, validation_rate, freshness_p50_seconds, freshness_p99_seconds,
                completeness, facts_consistent, repaired)
            SELECT $1, $2, q.accepted, q.active_users, q.rejected, q.rejected_by_reason, q.duplicates, q.late,
                   q.clock_clamped, q.validation_rate, q.freshness_p50_seconds, q.freshness_p99_seconds, q.completeness, $4, $5
            FROM day_quality($1, $2, $3) q
            ON CONFLICT (app_id, event_date) DO NOTHING""";

    private final Pool pool;

    public DailyCloseRepository(Pool pool) {
        this.pool = pool;
    }

    /** Days ended before {@code asOf} in each app's timezone, at most {@code lookbackDays} back, not yet closed. */
    public Uni<List<DueDay>> due(Instant asOf, int lookbackDays) {
        return pool.preparedQuery(DUE).execute(Tuple.of(Sql.ts(asOf), lookbackDays)).map(rows -> {
            List<DueDay> due = new ArrayList<>();
            for (Row row : rows) {
                due.add(new DueDay(row.getString("app_id"), row.getString("timezone"), row.getLocalDate("day")));
            }
            return due;
        });
    }

    /** Another replica closing the same day makes this one skip it. */
    public Uni<Boolean> tryLock(SqlConnection connection, DueDay day) {
        return connection.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended('pulse-close:' || $1 || ':' || $2::date::text, 0)) AS locked")
                .execute(Tuple.of(day.appId(), day.date())).map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    public Uni<Boolean> closed(SqlConnection connection, DueDay day) {
        return connection.preparedQuery("SELECT 1 FROM quality_snapshot_daily WHERE app_id = $1 AND event_date = $2")
                .execute(Tuple.of(day.appId(), day.date())).map(rows -> rows.size() > 0);
    }

    public Uni<Check> check(SqlConnection connection, DueDay day) {
        ZoneId zone = ZoneId.of(day.timezone());
        return connection.preparedQuery(CHECK).execute(Tuple.from(List.of(day.appId(), day.date(), day.date().getDayOfMonth(),
                day.date().withDayOfMonth(1), EventTimes.weekStart(day.date()), EventTimes.dayStart(day.date(), zone),
                EventTimes.dayStart(day.date().plusDays(1), zone)))).map(rows -> {
                    Row r = rows.iterator().next();
                    return new Check(r.getLong("raw_events"), r.getLong("raw_users"), r.getLong("rollup_events"),
                            r.getLong("rollup_users"), r.getLong("event_rollup_differences"), r.getLong("counted"), r.getLong("raw_views"),
                            r.getLong("feed_views"), r.getLong("raw_hits"), r.getLong("reduced_hits"), r.getLong("raw_times"), r.getLong("state_times"),
                            r.getBoolean("sessions_agree"));
                });
    }

    public Uni<Void> snapshot(SqlConnection connection, DueDay day, boolean consistent, boolean repaired) {
        return connection.preparedQuery(SNAPSHOT).execute(Tuple.of(day.appId(), day.date(), day.timezone(), consistent, repaired))
                .replaceWithVoid();
    }
}
