package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.domain.BatchShares.AppUser;
import dev.pulse.aggregate.domain.DayState;
import dev.pulse.aggregate.repository.DayStateRepository.Read;
import dev.pulse.schema.DayStateDimension;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of days not over yet (V34): which app-days batches add their shares to, the ordinals those shares need,
 * the shares themselves, and the job's base of a day (read from the rollups in one snapshot) and merges of its rows.
 */
@ApplicationScoped
public class OpenDayStateRepository {
    /* $1 apps, $2 days: those batches add to, with the dimensions they do not hold (null for a base of the previous release) */
    private static final String HELD = """
            SELECT s.app_id, s.event_date, s.unheld FROM open_day_state s JOIN unnest($1::text[], $2::date[]) AS t(app_id, event_date)
            ON s.app_id = t.app_id AND s.event_date = t.event_date WHERE s.held""";
    /* $1 apps, $2 users: those with an ordinal */
    private static final String ORDINALS = """
            SELECT o.app_id, o.user_id, o.ordinal FROM unnest($1::text[], $2::text[]) AS t(app_id, user_id)
            JOIN user_ordinals o ON o.app_id = t.app_id AND o.user_id = t.user_id""";
    /* the apps' ordinal locks, in one order (DayStateRepository's, held to commit) */
    private static final String LOCK_ORDINALS = """
            SELECT pg_advisory_xact_lock(hashtextextended('pulse-ordinals:' || a, 0)) FROM (SELECT DISTINCT a FROM unnest($1::text[]) AS a ORDER BY a) l""";
    /* $1 apps, $2 users without an ordinal when looked up (the lock is held now): ordinals from each app's counter */
    private static final String ASSIGN = """
            WITH n AS (SELECT t.app_id, t.user_id, row_number() OVER (PARTITION BY t.app_id ORDER BY t.user_id) AS r,
                              count(*) OVER (PARTITION BY t.app_id) AS k
                       FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[])) AS t(app_id, user_id)
                       WHERE NOT EXISTS (SELECT 1 FROM user_ordinals o WHERE o.app_id = t.app_id AND o.user_id = t.user_id)),
                 c AS (INSERT INTO user_ordinal_counters AS c (app_id, given) SELECT app_id, max(k) FROM n GROUP BY app_id
                       ON CONFLICT (app_id) DO UPDATE SET given = c.given + excluded.given RETURNING c.app_id, c.given)
            INSERT INTO user_ordinals (app_id, user_id, ordinal)
            SELECT n.app_id, n.user_id, c.given - n.k + n.r - 1 FROM n JOIN c ON c.app_id = n.app_id""";
    /*
     * $1 settle seconds, $2 at most this many: the app-days not over yet (as query-api counts them) with rollup rows
     * whose state is missing, or whose base was read under another app version (or is being read, -1)
     */
    private static final String DUE = """
            SELECT a.app_id, d::date FROM apps a
            CROSS JOIN LATERAL generate_series(((now() - make_interval(secs => $1::float8)) AT TIME ZONE a.timezone)::date,
                    (now() AT TIME ZONE a.timezone)::date, interval '1 day') AS d
            LEFT JOIN open_day_state s ON s.app_id = a.app_id AND s.event_date = d::date
            WHERE (s.app_id IS NULL OR s.unheld IS NULL
                   OR s.app_version <> coalesce((SELECT v.version FROM closed_day_versions v WHERE v.app_id = a.app_id), 0))
              AND EXISTS (SELECT 1 FROM fact_user_daily f WHERE f.app_id = a.app_id AND f.event_date = d::date)
            ORDER BY d DESC, a.app_id
            LIMIT $2::int""";
    /* $1 app, $2 day: from now on batches add to it; query-api reads it once its base has a version */
    private static final String BEGIN = """
            INSERT INTO open_day_state (app_id, event_date, app_version, held, unheld, built_at) VALUES ($1, $2, -1, true, NULL, now())
            ON CONFLICT (app_id, event_date) DO UPDATE SET app_version = -1, held = true, unheld = NULL, built_at = now()""";
    /* the day's lock: a base holds it for its session, a merge for its transaction */
    private static final String DAY_KEY = "hashtextextended('pulse-open-day:' || $1 || ':' || $2, 0)";
    private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(" + DAY_KEY + ")";
    private static final String TRY_LOCK_SESSION = "SELECT pg_try_advisory_lock(" + DAY_KEY + ")";
    private static final String UNLOCK_SESSION = "SELECT pg_advisory_unlock(" + DAY_KEY + ")";
    private static final String UNHELD = "SELECT unheld FROM open_day_state WHERE app_id = $1 AND event_date = $2";
    private static final String DROPPED = "UPDATE open_day_state SET held = $3, unheld = $4 WHERE app_id = $1 AND event_date = $2";
    private static final String BASED = """
            UPDATE open_day_state SET app_version = $3, held = $4, unheld = $5, built_at = now() WHERE app_id = $1 AND event_date = $2""";
    private static final String DELETE = "DELETE FROM day_value_deltas WHERE app_id = $1 AND event_date = $2";
    /* $1 rows per value: the held days with a dimension of more rows than that many per value (query-api reads a dimension's) */
    private static final String PILED_UP = """
            SELECT s.app_id, s.event_date FROM open_day_state s
            WHERE s.held AND s.app_version >= 0 AND EXISTS (
                SELECT 1 FROM day_value_deltas d WHERE d.app_id = s.app_id AND d.event_date = s.event_date GROUP BY d.dimension
                HAVING count(*) > $1::int * (count(DISTINCT d.value) + (bool_or(d.value IS NULL))::int))""";
    private static final String ROWS = """
            SELECT d.dimension, d.value, d.users, d.viewers, d.likers, d.senders, d.payers, d.session_users, d.events, d.views, d.likes,
                   d.messages, d.signups, d.purchases, d.revenue, d.page_views, d.plays, d.engagement_seconds, d.pct_sum, d.pct_count,
                   d.sessions, d.session_seconds, d.bounces
            FROM day_value_deltas d WHERE d.app_id = $1 AND d.event_date = $2""";

    /** Of {@code days}, those batches add their shares to, each with the dimensions it does not hold. */
    public Uni<Map<AppDay, Set<DayStateDimension>>> held(SqlConnection connection, Set<AppDay> days) {
        if (days.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return connection.preparedQuery(HELD).execute(Tuple.of(days.stream().map(AppDay::appId).toArray(String[]::new),
                days.stream().map(AppDay::date).toArray(LocalDate[]::new))).map(rows -> {
            Map<AppDay, Set<DayStateDimension>> held = new HashMap<>();
            rows.forEach(row -> {
                String[] unheld = row.getArrayOfStrings(2);
                held.put(new AppDay(row.getString(0), row.getLocalDate(1)), unheld == null ? Set.of() : DayStateDimension.named(unheld));
            });
            return held;
        });
    }

    /**
     * The users' ordinals, given now to those without one. Only then are their apps' ordinal locks taken (to commit: the
     * last statements of a batch come after this), so a batch of known users never waits for another.
     */
    public Uni<Map<AppUser, Integer>> ordinals(SqlConnection connection, Set<AppUser> users) {
        Tuple all = Tuple.of(users.stream().map(AppUser::appId).toArray(String[]::new), users.stream().map(AppUser::userId).toArray(String[]::new));
        Map<AppUser, Integer> ordinals = new HashMap<>();
        return connection.preparedQuery(ORDINALS).execute(all).flatMap(rows -> {
            rows.forEach(row -> ordinals.put(new AppUser(row.getString(0), row.getString(1)), row.getInteger(2)));
            List<AppUser> missing = users.stream().filter(u -> !ordinals.containsKey(u)).toList();
            if (missing.isEmpty()) {
                return Uni.createFrom().item(ordinals);
            }
            Tuple unnumbered = Tuple.of(missing.stream().map(AppUser::appId).toArray(String[]::new),
                    missing.stream().map(AppUser::userId).toArray(String[]::new));
            return connection.preparedQuery(LOCK_ORDINALS).execute(Tuple.of(unnumbered.getValue(0)))
                    .flatMap(x -> connection.preparedQuery(ASSIGN).execute(unnumbered))
                    // those just given, and those another batch gave since the first look
                    .flatMap(x -> connection.preparedQuery(ORDINALS).execute(unnumbered))
                    .map(found -> {
                        found.forEach(row -> ordinals.put(new AppUser(row.getString(0), row.getString(1)), row.getInteger(2)));
                        return ordinals;
                    });
        });
    }

    /** Adds a batch's share of the day, but of the dimensions it does not hold. */
    public Uni<Void> add(SqlConnection connection, AppDay day, DayState share, Set<DayStateDimension> unheld) {
        return DayStateRepository.insert(connection, "day_value_deltas", day.appId(), day.date(), DayState.without(share.values(), unheld));
    }

    public Uni<List<AppDay>> due(SqlConnection connection, Duration settle, int limit) {
        return connection.preparedQuery(DUE).execute(Tuple.of((double) settle.toSeconds(), limit)).map(rows -> {
            List<AppDay> due = new ArrayList<>();
            rows.forEach(row -> due.add(new AppDay(row.getString(0), row.getLocalDate(1))));
            return due;
        });
    }

    /** Makes batches add to the day from their next statement on (autocommit: the caller has paused the app's batches). */
    public Uni<Void> begin(SqlConnection connection, AppDay day) {
        return connection.preparedQuery(BEGIN).execute(Tuple.of(day.appId(), day.date())).replaceWithVoid();
    }

    /** Whether no base of the day is read and no other merge of its rows runs now (held to commit). */
    public Uni<Boolean> tryLock(SqlConnection connection, AppDay day) {
        return lock(connection, TRY_LOCK, day);
    }

    /**
     * Whether no other base of the day is read and no merge of its rows runs now, held until {@link #unlock}: taken before
     * the day is marked, so that two replicas never mark a day each other is reading.
     */
    public Uni<Boolean> tryLockSession(SqlConnection connection, AppDay day) {
        return lock(connection, TRY_LOCK_SESSION, day);
    }

    public Uni<Void> unlock(SqlConnection connection, AppDay day) {
        return lock(connection, UNLOCK_SESSION, day).replaceWithVoid();
    }

    private static Uni<Boolean> lock(SqlConnection connection, String sql, AppDay day) {
        return connection.preparedQuery(sql).execute(Tuple.of(day.appId(), day.date().toString())).map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Replaces the day's rows this snapshot sees (the shares of batches it holds, and of any earlier base) with
     * {@code read}, the rollups in the same snapshot; rows of batches committed after it stay and add to it.
     */
    public Uni<Void> base(SqlConnection connection, AppDay day, Read read) {
        // the marker first, as an erasure deletes it before the rows: the other way round, the two could deadlock
        return connection.preparedQuery(BASED).execute(Tuple.of(day.appId(), day.date(), read.appVersion(), read.state().held(), read.state().unheld()))
                .flatMap(x -> connection.preparedQuery(DELETE).execute(Tuple.of(day.appId(), day.date())))
                .flatMap(x -> DayStateRepository.insert(connection, "day_value_deltas", day.appId(), day.date(), read.state().values()))
                .replaceWithVoid();
    }

    /** The held days whose rows are more than {@code perValue} per value on average. */
    public Uni<List<AppDay>> piledUp(SqlConnection connection, int perValue) {
        return connection.preparedQuery(PILED_UP).execute(Tuple.of(perValue)).map(rows -> {
            List<AppDay> days = new ArrayList<>();
            rows.forEach(row -> days.add(new AppDay(row.getString(0), row.getLocalDate(1))));
            return days;
        });
    }

    /**
     * Merges the day's rows this snapshot sees into one per value; rows committed after it stay as they are. Rows of a
     * dimension the day does not hold go; past {@code maxValues} values, the dimensions of the most are no longer held
     * either (DayState), and query-api reads them of that day from the rollups.
     */
    public Uni<Void> merge(SqlConnection connection, AppDay day, int maxValues) {
        Tuple key = Tuple.of(day.appId(), day.date());
        return connection.preparedQuery(UNHELD).execute(key).flatMap(state -> {
            String[] unheld = state.size() == 0 ? null : state.iterator().next().getArrayOfStrings(0);
            if (unheld == null) {
                // gone (an erasure), or a base of the previous release's: the next base reads the day again
                return Uni.createFrom().voidItem();
            }
            DayState merged = new DayState(maxValues, DayStateDimension.named(unheld));
            return connection.preparedQuery(ROWS).execute(key).flatMap(rows -> {
                rows.forEach(row -> merged.add(new DayState.Key(DayStateDimension.of(row.getString(0)).orElseThrow(), row.getString(1)),
                        DayStateRepository.value(row)));
                // the marker first, as in base()
                return connection.preparedQuery(DROPPED).execute(Tuple.of(day.appId(), day.date(), merged.held(), merged.unheld()))
                        .flatMap(x -> connection.preparedQuery(DELETE).execute(key))
                        .flatMap(x -> DayStateRepository.insert(connection, "day_value_deltas", day.appId(), day.date(), merged.values()));
            });
        });
    }

    /** Drops the days before {@code day}: all over, and their closed state built by then. */
    public Uni<Integer> forgetBefore(SqlConnection connection, LocalDate day) {
        return connection.preparedQuery("DELETE FROM open_day_state WHERE event_date < $1").execute(Tuple.of(day))
                .flatMap(states -> connection.preparedQuery("DELETE FROM day_value_deltas WHERE event_date < $1").execute(Tuple.of(day))
                        .replaceWith(states.rowCount()));
    }
}
