package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.domain.DayChange;
import dev.pulse.aggregate.domain.DayState;
import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.aggregate.domain.DayState.Sums;
import dev.pulse.schema.DayStateDimension;
import dev.pulse.schema.UserOrdinals;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
            WHERE s.app_id IS NULL OR s.app_version <> coalesce(v.version, 0) OR s.day_version <> coalesce(c.version, 0) OR s.unheld IS NULL
               OR (s.built_at < e.settled AND now() > e.settled)
            ORDER BY d DESC, a.app_id
            LIMIT $3::int""";

    /*
     * $1 app, $2 day: ordinals for the day's users who have none, from the app's counter, one transaction at a time per
     * app (the lock comes first, so the counter is read after any other's commit); a counter only grows, so no ordinal
     * an erasure or retention removed is given again
     */
    private static final String LOCK_ORDINALS = "SELECT pg_advisory_xact_lock(hashtextextended('pulse-ordinals:' || $1, 0))";
    private static final String UNNUMBERED = """
            SELECT u.user_id FROM (SELECT f.app_id, f.user_id FROM fact_user_daily f WHERE f.app_id = $1 AND f.event_date = $2
                                   UNION SELECT f.app_id, f.user_id FROM fact_user_event_daily f WHERE f.app_id = $1 AND f.event_date = $2
                                   UNION SELECT f.app_id, f.user_id FROM user_first_seen f WHERE f.app_id = $1 AND f.first_date = $2) u
            WHERE """ + UserOrdinals.of("u.app_id", "u.user_id") + " IS NULL";
    private static final String ANY_UNNUMBERED = "SELECT EXISTS (" + UNNUMBERED + ")";
    private static final String ASSIGN_ORDINALS = """
            WITH n AS (SELECT u.user_id, row_number() OVER (ORDER BY u.user_id) AS r FROM (""" + UNNUMBERED + """
            ) u),
                 c AS (INSERT INTO user_ordinal_counters AS c (app_id, given) SELECT $1, count(*) FROM n HAVING count(*) > 0
                       ON CONFLICT (app_id) DO UPDATE SET given = c.given + excluded.given RETURNING c.given)
            INSERT INTO user_ordinals (app_id, user_id, ordinal)
            SELECT $1, n.user_id, c.given - (SELECT count(*) FROM n) + n.r - 1 FROM n, c""";

    private static final String ORDINAL = UserOrdinals.of("f.app_id", "f.user_id") + " AS ordinal";
    private static final int FETCH = 2_000;
    private static final String SUMS = "events, views, likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count";
    private static final DayStateDimension[] USER_SIDE = DayStateDimension.kept(true);
    private static final DayStateDimension[] EVENT_SIDE = DayStateDimension.kept(false);
    private static final String USER_ROWS = rows("fact_user_daily", USER_SIDE, "sessions, session_seconds, bounces");
    private static final String EVENT_ROWS = rows("fact_user_event_daily", EVENT_SIDE, "0, 0::numeric, 0");
    private static final String VERSIONS = """
            SELECT coalesce((SELECT version FROM closed_day_versions WHERE app_id = $1), 0),
                   coalesce((SELECT version FROM closed_day_changes WHERE app_id = $1 AND event_date = $2), 0)""";
    private static final String LOCK_VERSIONS = """
            SELECT (SELECT 1 FROM closed_day_versions WHERE app_id = $1 FOR SHARE),
                   (SELECT 1 FROM closed_day_changes WHERE app_id = $1 AND event_date = $2 FOR SHARE)""";
    private static final String FIRST_USERS = "SELECT " + ORDINAL + " FROM user_first_seen f WHERE f.app_id = $1 AND f.first_date = $2";
    /* $1 apps, $2 days: those that hold a state, with the build it is of */
    private static final String HELD_DAYS = """
            SELECT DISTINCT s.app_id, s.event_date, s.built_at FROM unnest($1::text[], $2::date[]) AS t(app_id, event_date)
            JOIN day_state s ON s.app_id = t.app_id AND s.event_date = t.event_date WHERE s.held""";
    private static final String LATE = "unnest($1::text[], $2::date[], $3::text[]) AS t(app_id, event_date, user_id)";
    private static final String LATE_USER_ROWS = lateRows("fact_user_daily", USER_SIDE, "sessions, session_seconds, bounces");
    private static final String LATE_EVENT_ROWS = lateRows("fact_user_event_daily", EVENT_SIDE, "0, 0::numeric, 0");
    /* the late users: their ordinals, and whether the day is now their first */
    private static final String LATE_USERS = "SELECT t.app_id, t.event_date, o.ordinal, f.first_date = t.event_date FROM " + LATE + """

            LEFT JOIN user_ordinals o ON o.app_id = t.app_id AND o.user_id = t.user_id
            LEFT JOIN user_first_seen f ON f.app_id = t.app_id AND f.user_id = t.user_id""";
    /* the day's build lock, as the job takes it (tryLock): a build under way is left to finish, and none starts until commit */
    private static final String TRY_LOCK_DAY = "SELECT pg_try_advisory_xact_lock(hashtextextended('pulse-day-state:' || $1 || ':' || $2, 0))";
    /*
     * $1 app, $2 day, $3 the day's version before the batch's bump, $4 the build the shares were read against: its
     * state, locked, if it is still that build, current and held
     */
    private static final String CURRENT_STATE = """
            SELECT s.first_users, (SELECT count(*) FROM day_values v WHERE v.app_id = s.app_id AND v.event_date = s.event_date), s.unheld
            FROM day_state s WHERE s.app_id = $1 AND s.event_date = $2 AND s.held AND s.unheld IS NOT NULL AND s.day_version = $3 AND s.built_at = $4
              AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = $1), 0)
            FOR UPDATE OF s""";
    /* $1 app, $2 day, $3 dimensions, $4 values: those rows of the day (a value may be null) */
    private static final String KEYS = """
            unnest($3::text[], $4::text[]) AS k(dimension, value)
            WHERE d.app_id = $1 AND d.event_date = $2 AND d.dimension = k.dimension AND d.value IS NOT DISTINCT FROM k.value""";
    private static final String VALUES_OF_KEYS = """
            SELECT d.dimension, d.value, d.users, d.viewers, d.likers, d.senders, d.payers, d.session_users, d.events, d.views, d.likes,
                   d.messages, d.signups, d.purchases, d.revenue, d.page_views, d.plays, d.engagement_seconds, d.pct_sum, d.pct_count,
                   d.sessions, d.session_seconds, d.bounces
            FROM day_values d, """ + KEYS;
    private static final String DELETE_KEYS = "DELETE FROM day_values d USING " + KEYS;
    private static final String CHANGE_STATE = "UPDATE day_state SET day_version = $3, first_users = $4 WHERE app_id = $1 AND event_date = $2";
    /* into day_values, or V34's day_value_deltas (the same columns) */
    private static final String INSERT_VALUES = """
            INSERT INTO %s SELECT $1, $2, v.* FROM unnest($3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[],
                $9::bytea[], $10::bytea[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::int8[], $16::int8[], $17::numeric[],
                $18::int8[], $19::int8[], $20::float8[], $21::float8[], $22::int8[], $23::int8[], $24::numeric[], $25::int8[]) AS v""";
    private static final String UPSERT_STATE = """
            INSERT INTO day_state (app_id, event_date, app_version, day_version, first_users, held, unheld, built_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, now())
            ON CONFLICT (app_id, event_date) DO UPDATE SET app_version = $3, day_version = $4, first_users = $5, held = $6, unheld = $7,
                built_at = now()""";

    private static String rows(String table, DayStateDimension[] dimensions, String sessions) {
        return rows(dimensions, sessions, table + " f", "WHERE f.app_id = $1 AND f.event_date = $2");
    }

    /** The rows of {@code from}, with each user's ordinal and, last, the row's app and day. */
    private static String rows(DayStateDimension[] dimensions, String sessions, String from, String where) {
        return "SELECT " + ORDINAL + ", " + Arrays.stream(dimensions).map(DayStateDimension::column).collect(Collectors.joining(", "))
                + ", " + SUMS + ", " + sessions + ", f.app_id, f.event_date FROM " + from + " " + where;
    }

    /** The rows of {@code table} of the late users on their days ($1 apps, $2 days, $3 users). */
    private static String lateRows(String table, DayStateDimension[] dimensions, String sessions) {
        return rows(dimensions, sessions, LATE + " JOIN " + table + " f ON f.app_id = t.app_id AND f.event_date = t.event_date AND f.user_id = t.user_id", "");
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
        // looked for before the ordinal lock, which batches of new users wait for: a day whose users all have one is read without it
        return locks.shared(connection, List.of(appId))
                .flatMap(x -> connection.preparedQuery(ANY_UNNUMBERED).execute(Tuple.of(appId, day)))
                .flatMap(any -> !any.iterator().next().getBoolean(0) ? Uni.createFrom().item(0)
                        : connection.preparedQuery(LOCK_ORDINALS).execute(Tuple.of(appId))
                                .flatMap(x -> connection.preparedQuery(ASSIGN_ORDINALS).execute(Tuple.of(appId, day)))
                                .map(rows -> rows.rowCount()));
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
     * {@code maxValues} drop the dimensions of the most (the state says which, and query-api reads those of that day per
     * user); null when a user of
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
        state.add(ordinal, dimensions, values, sums(row, 1 + dimensions.length));
        return true;
    }

    /** Replaces the app-day's state with {@code read}. */
    public Uni<Void> write(SqlConnection connection, String appId, LocalDate day, Read read) {
        // the versions read, locked: one an erasure or a late batch bumped after this snapshot fails the build (40001)
        return connection.preparedQuery(LOCK_VERSIONS).execute(Tuple.of(appId, day))
                .flatMap(x -> connection.preparedQuery("DELETE FROM day_values WHERE app_id = $1 AND event_date = $2").execute(Tuple.of(appId, day)))
                // a state not held has no values: only its day row is written
                .flatMap(x -> insert(connection, "day_values", appId, day, read.state().values()))
                .flatMap(x -> connection.preparedQuery(UPSERT_STATE).execute(Tuple.from(List.of(appId, day, read.appVersion(), read.dayVersion(),
                        bytes(read.state().firstUsers()), read.state().held(), read.state().unheld()))))
                .replaceWithVoid();
    }

    /** Writes {@code values} of the app-day into {@code table}: day_values, or day_value_deltas. */
    static Uni<Void> insert(SqlConnection connection, String table, String appId, LocalDate day, Map<DayState.Key, DayState.Value> values) {
        if (values.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> rows = new ArrayList<>();
        for (Map.Entry<DayState.Key, DayState.Value> entry : values.entrySet()) {
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
        return connection.preparedQuery(INSERT_VALUES.formatted(table)).execute(insert).replaceWithVoid();
    }

    /** The late users' shares of the days that held a state when read, with the build each was of. */
    public record Before(Map<AppDay, OffsetDateTime> builds, Map<AppDay, DayState> shares) {
        static final Before NONE = new Before(Map.of(), Map.of());
    }

    /** What a batch changes in a day's state, and the build it applies to. */
    public record Pending(DayChange change, OffsetDateTime build) {
    }

    /**
     * Of each app-day of {@code late} that holds a state: which build it is, and the late users' share of it, their
     * rollup rows as this transaction sees them now, folded. A day with a row of a user who has no ordinal yet is left out.
     */
    public Uni<Before> before(SqlConnection connection, List<UserDay> late) {
        if (late.isEmpty()) {
            return Uni.createFrom().item(Before.NONE);
        }
        return connection.preparedQuery(HELD_DAYS).execute(Tuple.of(late.stream().map(UserDay::appId).toArray(String[]::new),
                late.stream().map(UserDay::date).toArray(LocalDate[]::new))).flatMap(rows -> {
            Map<AppDay, OffsetDateTime> builds = new HashMap<>();
            rows.forEach(row -> builds.put(new AppDay(row.getString(0), row.getLocalDate(1)), row.getOffsetDateTime(2)));
            return builds.isEmpty() ? Uni.createFrom().item(Before.NONE) : shares(connection, of(late, builds.keySet()))
                    .map(shares -> new Before(builds, shares));
        });
    }

    /**
     * What the batch changed in each day of {@code before} (read before the batch touched the rollups): the late users'
     * shares now, who they are and whose first day it is. A day a user without an ordinal is in is left out.
     */
    public Uni<Map<AppDay, Pending>> changes(SqlConnection connection, List<UserDay> late, Before before) {
        if (before.shares().isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<UserDay> held = of(late, before.shares().keySet());
        return shares(connection, held).flatMap(after -> connection.preparedQuery(LATE_USERS).execute(lateParams(held)).map(rows -> {
            Map<AppDay, RoaringBitmap[]> users = new HashMap<>();
            Set<AppDay> incomplete = new HashSet<>();
            rows.forEach(row -> {
                AppDay day = new AppDay(row.getString(0), row.getLocalDate(1));
                Integer ordinal = row.getInteger(2);
                if (ordinal == null) {
                    incomplete.add(day);
                    return;
                }
                RoaringBitmap[] u = users.computeIfAbsent(day, d -> new RoaringBitmap[]{new RoaringBitmap(), new RoaringBitmap()});
                u[0].add(ordinal);
                if (Boolean.TRUE.equals(row.getBoolean(3))) {
                    u[1].add(ordinal);
                }
            });
            Map<AppDay, Pending> changes = new HashMap<>();
            before.shares().forEach((day, share) -> {
                RoaringBitmap[] u = users.get(day);
                if (after.containsKey(day) && u != null && !incomplete.contains(day)) {
                    changes.put(day, new Pending(new DayChange(share, after.get(day), u[0], u[1]), before.builds().get(day)));
                }
            });
            return changes;
        }));
    }

    private static List<UserDay> of(List<UserDay> late, Set<AppDay> days) {
        return late.stream().filter(l -> days.contains(new AppDay(l.appId(), l.date()))).toList();
    }

    private static Uni<Map<AppDay, DayState>> shares(SqlConnection connection, List<UserDay> late) {
        Map<AppDay, DayState> shares = new HashMap<>();
        late.forEach(l -> shares.computeIfAbsent(new AppDay(l.appId(), l.date()), d -> new DayState(Integer.MAX_VALUE)));
        Set<AppDay> incomplete = new HashSet<>();
        Tuple params = lateParams(late);
        return connection.preparedQuery(LATE_USER_ROWS).execute(params)
                .invoke(rows -> rows.forEach(row -> fold(shares, incomplete, USER_SIDE, row)))
                .flatMap(x -> connection.preparedQuery(LATE_EVENT_ROWS).execute(params))
                .invoke(rows -> rows.forEach(row -> fold(shares, incomplete, EVENT_SIDE, row)))
                .map(x -> {
                    shares.keySet().removeAll(incomplete);
                    return shares;
                });
    }

    /**
     * Applies each change, in one order, to its day's state where that is still the build it was read against, was
     * current before the batch bumped the day ({@code versions}: the days' versions after the bump, which locked them
     * against other batches) and no build runs (its lock, held to commit, keeps the job out). The others are left to the
     * job, and so is a change that would hold more than {@code maxValues} values (the job drops dimensions); the values of
     * a dimension the day does not hold are left out. A
     * day whose change fails (a row it cannot read, a deadlock) is rolled back to before it and left to the job: the
     * batch's events are stored all the same.
     * @return how many days' states were changed
     */
    public Uni<Long> change(SqlConnection connection, Map<AppDay, Long> versions, Map<AppDay, Pending> changes, int maxValues) {
        Map<AppDay, Pending> ordered = new TreeMap<>(java.util.Comparator.comparing(AppDay::appId).thenComparing(AppDay::date));
        ordered.putAll(changes);
        return Multi.createFrom().iterable(ordered.entrySet()).filter(e -> versions.containsKey(e.getKey()))
                .onItem().transformToUniAndConcatenate(e -> connection.query("SAVEPOINT day_state").execute()
                        .flatMap(x -> change(connection, e.getKey(), versions.get(e.getKey()), e.getValue(), maxValues))
                        .call(x -> connection.query("RELEASE SAVEPOINT day_state").execute())
                        .onFailure().recoverWithUni(failure -> {
                            Log.warnf(failure, "changing the day state of app %s, %s failed: left to the job to build again",
                                    e.getKey().appId(), e.getKey().date());
                            return connection.query("ROLLBACK TO SAVEPOINT day_state").execute().replaceWith(false);
                        }))
                .filter(changed -> changed).collect().with(Collectors.counting());
    }

    private Uni<Boolean> change(SqlConnection connection, AppDay day, long version, Pending pending, int maxValues) {
        DayChange change = pending.change();
        return connection.preparedQuery(TRY_LOCK_DAY).execute(Tuple.of(day.appId(), day.date().toString()))
                .flatMap(locked -> !locked.iterator().next().getBoolean(0) ? Uni.createFrom().<RowSet<Row>>nullItem()
                        : connection.preparedQuery(CURRENT_STATE).execute(Tuple.of(day.appId(), day.date(), version - 1, pending.build())))
                .flatMap(states -> {
            if (states == null || states.size() == 0) {
                return Uni.createFrom().item(false);
            }
            Row state = states.iterator().next();
            List<DayState.Key> keys = List.copyOf(change.keys());
            Tuple touched = Tuple.of(day.appId(), day.date(), keys.stream().map(k -> k.dimension().apiName()).toArray(String[]::new),
                    keys.stream().map(DayState.Key::value).toArray(String[]::new));
            return connection.preparedQuery(VALUES_OF_KEYS).execute(touched).flatMap(rows -> {
                Map<DayState.Key, DayState.Value> stored = new HashMap<>();
                rows.forEach(row -> stored.put(new DayState.Key(DayStateDimension.of(row.getString(0)).orElseThrow(), row.getString(1)), value(row)));
                RoaringBitmap firstUsers = change.firstUsers(DayStateDimension.users(state.getBuffer(0).getBytes()));
                Map<DayState.Key, DayState.Value> kept = DayState.without(change.apply(stored), DayStateDimension.named(state.getArrayOfStrings(2)));
                kept.values().removeIf(java.util.Objects::isNull);
                if (state.getLong(1) - stored.size() + kept.size() > maxValues) {
                    return Uni.createFrom().item(false);
                }
                return connection.preparedQuery(DELETE_KEYS).execute(touched)
                        .flatMap(x -> insert(connection, "day_values", day.appId(), day.date(), kept))
                        .flatMap(x -> connection.preparedQuery(CHANGE_STATE).execute(Tuple.of(day.appId(), day.date(), version, bytes(firstUsers))))
                        .replaceWith(true);
            });
        });
    }

    /** A day_values row's value, its bitmaps from column 2 on (dimension and value first). */
    static DayState.Value value(Row row) {
        return new DayState.Value(bitmap(row, 2), bitmap(row, 3), bitmap(row, 4), bitmap(row, 5), bitmap(row, 6), bitmap(row, 7),
                sums(row, 8));
    }

    private static RoaringBitmap bitmap(Row row, int column) {
        return DayStateDimension.users(row.getBuffer(column).getBytes());
    }

    private static Sums sums(Row row, int s) {
        return new Sums(row.getLong(s), row.getLong(s + 1), row.getLong(s + 2), row.getLong(s + 3),
                row.getLong(s + 4), row.getLong(s + 5), row.getBigDecimal(s + 6), row.getLong(s + 7), row.getLong(s + 8),
                row.getDouble(s + 9), row.getDouble(s + 10), row.getLong(s + 11), row.getLong(s + 12), row.getBigDecimal(s + 13),
                row.getLong(s + 14));
    }

    private static void fold(Map<AppDay, DayState> shares, Set<AppDay> incomplete, DayStateDimension[] dimensions, Row row) {
        int at = 1 + dimensions.length + 15;
        AppDay day = new AppDay(row.getString(at), row.getLocalDate(at + 1));
        if (!add(shares.get(day), dimensions, row)) {
            incomplete.add(day);
        }
    }

    private static Tuple lateParams(List<UserDay> late) {
        return Tuple.of(late.stream().map(UserDay::appId).toArray(String[]::new), late.stream().map(UserDay::date).toArray(LocalDate[]::new),
                late.stream().map(UserDay::userId).toArray(String[]::new));
    }

    /** Drops the state of days before {@code day}, which no app keeps any more: the day first, so no value outlives it. */
    public Uni<Integer> forgetBefore(SqlConnection connection, LocalDate day) {
        return connection.preparedQuery("DELETE FROM day_state WHERE event_date < $1").execute(Tuple.of(day))
                .flatMap(states -> connection.preparedQuery("DELETE FROM day_values WHERE event_date < $1").execute(Tuple.of(day))
                        .replaceWith(states.rowCount()));
    }

    private static Buffer bytes(RoaringBitmap users) {
        return Buffer.buffer(DayStateDimension.bytes(users));
    }
}
