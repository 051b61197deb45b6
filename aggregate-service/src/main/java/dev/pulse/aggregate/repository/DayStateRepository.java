package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.DayState;
import dev.pulse.aggregate.domain.DayState.Sums;
import dev.pulse.schema.DayStateDimension;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The day state (V33): which closed app-days lack it or hold it under versions that changed, the user ordinals it
 * needs, and a day's state read from the rollups and written in one transaction that sees one snapshot.
 */
@ApplicationScoped
public class DayStateRepository {
    private final AppLocks locks;

    public DayStateRepository(AppLocks locks) {
        this.locks = locks;
    }

    /** An app-day whose state is missing or out of date. */
    public record Due(String appId, LocalDate day) {
    }

    /** A day's state with the versions of the snapshot it was read from; null when a user of the day has no ordinal yet. */
    public record Read(long appVersion, long dayVersion, DayState state) {
    }

    /*
     * $1 settle seconds, $2 days kept, $3 at most this many: the app-days that are over (as query-api's closed-day cache
     * counts them), from the app's first user's day and its retention's first kept day (older ones retention deletes),
     * without a state of their versions, or built within the hour after
     * they ended (once more then: a batch that found its day not over yet may have committed after that build); the
     * latest first
     */
    private static final String DUE = """
            SELECT a.app_id, d::date AS day
            FROM apps a
            CROSS JOIN LATERAL (SELECT ((now() - make_interval(secs => $1::float8)) AT TIME ZONE a.timezone)::date - 1 AS last_closed) l
            CROSS JOIN LATERAL generate_series(greatest(l.last_closed - $2::int + 1,
                    (SELECT min(f.first_date) FROM user_first_seen f WHERE f.app_id = a.app_id),
                    (now() AT TIME ZONE a.timezone)::date - a.retention_days), l.last_closed, interval '1 day') AS d
            LEFT JOIN closed_day_versions v ON v.app_id = a.app_id
            LEFT JOIN closed_day_changes c ON c.app_id = a.app_id AND c.event_date = d::date
            LEFT JOIN day_state s ON s.app_id = a.app_id AND s.event_date = d::date
            CROSS JOIN LATERAL (SELECT ((d::date + 1)::timestamp AT TIME ZONE a.timezone) + interval '1 hour' AS settled) e
            WHERE s.app_id IS NULL OR s.app_version <> coalesce(v.version, 0) OR s.day_version <> coalesce(c.version, 0)
               OR (s.built_at < e.settled AND now() > e.settled)
            ORDER BY d DESC, a.app_id
            LIMIT $3::int""";

    /*
     * $1 app, $2 day: ordinals for the day's users who have none, from the app's counter, one transaction at a time per
     * app (the lock comes first, so the counter is read after any other's commit); a counter only grows, so no ordinal
     * an erasure or retention removed is given again
     */
    private static final String LOCK_ORDINALS = "SELECT pg_advisory_xact_lock(hashtextextended('pulse-ordinals:' || $1, 0))";
    private static final String ASSIGN_ORDINALS = """
            WITH n AS (SELECT u.user_id, row_number() OVER (ORDER BY u.user_id) AS r
                       FROM (SELECT f.user_id FROM fact_user_daily f WHERE f.app_id = $1 AND f.event_date = $2
                             UNION SELECT f.user_id FROM fact_user_event_daily f WHERE f.app_id = $1 AND f.event_date = $2
                             UNION SELECT f.user_id FROM user_first_seen f WHERE f.app_id = $1 AND f.first_date = $2) u
                       WHERE NOT EXISTS (SELECT 1 FROM user_ordinals o WHERE o.app_id = $1 AND o.user_id = u.user_id)),
                 c AS (INSERT INTO user_ordinal_counters AS c (app_id, given) SELECT $1, count(*) FROM n HAVING count(*) > 0
                       ON CONFLICT (app_id) DO UPDATE SET given = c.given + excluded.given RETURNING c.given)
            INSERT INTO user_ordinals (app_id, user_id, ordinal)
            SELECT $1, n.user_id, c.given - (SELECT count(*) FROM n) + n.r - 1 FROM n, c""";

    private static final int FETCH = 2_000;
    private static final String SUMS = "events, views, likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count";
    private static final DayStateDimension[] USER_SIDE = Arrays.stream(DayStateDimension.values()).filter(DayStateDimension::userSide)
            .toArray(DayStateDimension[]::new);
    private static final DayStateDimension[] EVENT_SIDE = Arrays.stream(DayStateDimension.values()).filter(d -> !d.userSide())
            .toArray(DayStateDimension[]::new);
    private static final String USER_ROWS = rows("fact_user_daily", USER_SIDE, "sessions, session_seconds, bounces");
    private static final String EVENT_ROWS = rows("fact_user_event_daily", EVENT_SIDE, "0, 0::numeric, 0");
    private static final String VERSIONS = """
            SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = $1), 0),
                   coalesce((SELECT version FROM closed_day_changes WHERE app_id = $1 AND event_date = $2), 0)""";
    private static final String LOCK_VERSIONS = """
            SELECT (SELECT 1 FROM closed_day_versions WHERE app_id = $1 FOR SHARE),
                   (SELECT 1 FROM closed_day_changes WHERE app_id = $1 AND event_date = $2 FOR SHARE)""";
    private static final String FIRST_USERS = """
            SELECT o.ordinal FROM user_first_seen f LEFT JOIN user_ordinals o ON o.app_id = f.app_id AND o.user_id = f.user_id
            WHERE f.app_id = $1 AND f.first_date = $2""";
    private static final String INSERT_VALUES = """
            INSERT INTO day_values SELECT $1, $2, v.* FROM unnest($3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[],
                $9::bytea[], $10::bytea[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::int8[], $16::int8[], $17::numeric[],
                $18::int8[], $19::int8[], $20::float8[], $21::float8[], $22::int8[], $23::int8[], $24::numeric[], $25::int8[]) AS v""";
    private static final String UPSERT_STATE = """
            INSERT INTO day_state (app_id, event_date, app_version, day_version, first_users, held, built_at) VALUES ($1, $2, $3, $4, $5, $6, now())
            ON CONFLICT (app_id, event_date) DO UPDATE SET app_version = $3, day_version = $4, first_users = $5, held = $6, built_at = now()""";

    private static String rows(String table, DayStateDimension[] dimensions, String sessions) {
        return "SELECT o.ordinal, " + Arrays.stream(dimensions).map(DayStateDimension::column).collect(Collectors.joining(", "))
                + ", " + SUMS + ", " + sessions + " FROM " + table
                + " f LEFT JOIN user_ordinals o ON o.app_id = f.app_id AND o.user_id = f.user_id WHERE f.app_id = $1 AND f.event_date = $2";
    }

    public Uni<List<Due>> due(SqlConnection connection, Duration settle, int days, int limit) {
        return connection.preparedQuery(DUE).execute(Tuple.of((double) settle.toSeconds(), days, limit)).map(rows -> {
            List<Due> due = new ArrayList<>();
            rows.forEach(row -> due.add(new Due(row.getString(0), row.getLocalDate(1))));
            return due;
        });
    }

    /**
     * Gives the day's users without an ordinal one; in its own transaction, holding the app as batches do (an erasure
     * holds it exclusively, so an erased user is not given one from facts read before the erasure) and its ordinals.
     */
    public Uni<Integer> assignOrdinals(SqlConnection connection, String appId, LocalDate day) {
        return locks.shared(connection, List.of(appId))
                .flatMap(x -> connection.preparedQuery(LOCK_ORDINALS).execute(Tuple.of(appId)))
                .flatMap(x -> connection.preparedQuery(ASSIGN_ORDINALS).execute(Tuple.of(appId, day)))
                .map(rows -> rows.rowCount());
    }

    /** Makes the caller's transaction see one snapshot: its first statement. */
    public Uni<Void> repeatableRead(SqlConnection connection) {
        return connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute().replaceWithVoid();
    }

    /**
     * Whether no other transaction builds this app-day now and no erasure or recompute holds the app (both held until
     * commit): one that starts later waits for this build, whose snapshot it will then change, and deletes or bumps after it.
     */
    public Uni<Boolean> tryLock(SqlConnection connection, String appId, LocalDate day) {
        return connection.preparedQuery("""
                        SELECT pg_try_advisory_xact_lock(hashtextextended('pulse-day-state:' || $1 || ':' || $2, 0))
                               AND pg_try_advisory_xact_lock_shared(hashtextextended('pulse-app:' || $1, 0))""")
                .execute(Tuple.of(appId, day.toString())).map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * The app-day's state as this transaction's snapshot has it, its rows streamed through a cursor; values beyond
     * {@code maxValues} are not kept (the state says so, and query-api reads that day per user); null when a user of
     * the day has no ordinal yet.
     */
    public Uni<Read> read(SqlConnection connection, String appId, LocalDate day, int maxValues) {
        Tuple key = Tuple.of(appId, day);
        DayState state = new DayState(maxValues);
        boolean[] complete = {true};
        return connection.preparedQuery(VERSIONS).execute(key).flatMap(versions -> {
            Row v = versions.iterator().next();
            return stream(connection, USER_ROWS, key, row -> complete[0] &= add(state, USER_SIDE, row))
                    .flatMap(x -> stream(connection, EVENT_ROWS, key, row -> complete[0] &= add(state, EVENT_SIDE, row)))
                    .flatMap(x -> stream(connection, FIRST_USERS, key, row -> {
                        Integer ordinal = row.getInteger(0);
                        complete[0] &= ordinal != null;
                        if (ordinal != null) {
                            state.addFirstUser(ordinal);
                        }
                    }))
                    .map(x -> complete[0] ? new Read(v.getLong(0), v.getLong(1), state) : null);
        });
    }

    /** Each row of the statement, fetched a page at a time: a big app-day's rows are never all in memory. */
    private static Uni<Void> stream(SqlConnection connection, String sql, Tuple params, java.util.function.Consumer<Row> each) {
        return connection.prepare(sql).flatMap(statement -> statement.createStream(FETCH, params).toMulti().invoke(each).collect().last()
                .onTermination().call(statement::close)).replaceWithVoid();
    }

    private static boolean add(DayState state, DayStateDimension[] dimensions, Row row) {
        Integer ordinal = row.getInteger(0);
        if (ordinal == null) {
            return false;
        }
        String[] values = new String[dimensions.length];
        for (int i = 0; i < dimensions.length; i++) {
            values[i] = row.getString(1 + i);
        }
        int s = 1 + dimensions.length;
        state.add(ordinal, dimensions, values, new Sums(row.getLong(s), row.getLong(s + 1), row.getLong(s + 2), row.getLong(s + 3),
                row.getLong(s + 4), row.getLong(s + 5), row.getBigDecimal(s + 6), row.getLong(s + 7), row.getLong(s + 8),
                row.getDouble(s + 9), row.getDouble(s + 10), row.getLong(s + 11), row.getLong(s + 12), row.getBigDecimal(s + 13),
                row.getLong(s + 14)));
        return true;
    }

    /** Replaces the app-day's state with {@code read}. */
    public Uni<Void> write(SqlConnection connection, String appId, LocalDate day, Read read) {
        List<Object[]> rows = new ArrayList<>();
        // a state not held has no values: only its day row is written
        for (Map.Entry<DayState.Key, DayState.Value> entry : read.state().values().entrySet()) {
            DayState.Value v = entry.getValue();
            Sums s = v.sums();
            rows.add(new Object[]{entry.getKey().dimension().apiName(), entry.getKey().value(), bytes(v.users), bytes(v.viewers), bytes(v.likers),
                    bytes(v.senders), bytes(v.payers), bytes(v.sessionUsers), s.events(), s.views(), s.likes(), s.messages(), s.signups(),
                    s.purchases(), s.revenue(), s.pageViews(), s.plays(), s.engagementSeconds(), s.pctSum(), s.pctCount(), s.sessions(),
                    s.sessionSeconds(), s.bounces()});
        }
        Tuple columns = Sql.columns(rows, String.class, String.class, Buffer.class, Buffer.class, Buffer.class, Buffer.class, Buffer.class,
                Buffer.class, Long.class, Long.class, Long.class, Long.class, Long.class, Long.class, BigDecimal.class, Long.class, Long.class,
                Double.class, Double.class, Long.class, Long.class, BigDecimal.class, Long.class);
        Tuple insert = Tuple.of(appId, day);
        for (int i = 0; i < columns.size(); i++) {
            insert.addValue(columns.getValue(i));
        }
        // the versions read, locked: one an erasure or a late batch bumped after this snapshot fails the build (40001)
        return connection.preparedQuery(LOCK_VERSIONS).execute(Tuple.of(appId, day))
                .flatMap(x -> connection.preparedQuery("DELETE FROM day_values WHERE app_id = $1 AND event_date = $2").execute(Tuple.of(appId, day)))
                .flatMap(x -> rows.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(INSERT_VALUES).execute(insert).replaceWithVoid())
                .flatMap(x -> connection.preparedQuery(UPSERT_STATE).execute(Tuple.of(appId, day, read.appVersion(), read.dayVersion(),
                        bytes(read.state().firstUsers()), read.state().held())))
                .replaceWithVoid();
    }

    /** Drops the state of days before {@code day}, which no app keeps any more: the day first, so no value outlives it. */
    public Uni<Integer> forgetBefore(SqlConnection connection, LocalDate day) {
        return connection.preparedQuery("DELETE FROM day_state WHERE event_date < $1").execute(Tuple.of(day))
                .flatMap(states -> connection.preparedQuery("DELETE FROM day_values WHERE event_date < $1").execute(Tuple.of(day))
                        .replaceWith(states.rowCount()));
    }

    private static Buffer bytes(org.roaringbitmap.RoaringBitmap users) {
        return Buffer.buffer(DayStateDimension.bytes(users));
    }
}
