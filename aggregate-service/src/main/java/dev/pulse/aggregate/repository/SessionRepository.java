package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.SessionDelta;
import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sessions kept on fact_user_daily (V26) and their ends (V31). Once a batch's events are stored, the sessions of
 * each user-day they belong to move by what the events do to the stored ends ({@link SessionDelta}), written with the
 * batch's rollup rows;
 * a user-day the ends cannot answer for (an event at or before the first of its session_id's last session, or ends
 * that do not count all its events) gets its sessions and ends recomputed from its stored events, so a late event
 * that joins or splits sessions changes the figures exactly. Two
 * transactions never read one user-day's ends or events from snapshots missing each other's: both upsert the
 * user's user_first_seen row earlier in the transaction (CumulativeRepository; an ON CONFLICT DO UPDATE locks the
 * row even when it changes nothing), so the second waits for the first to commit, and its statements here, later
 * ones, see the first's writes.
 */
@ApplicationScoped
public class SessionRepository {
    private final Pool pool;
    private static final String WRITE = "SELECT user_day_sessions_write($1, $2::text[], $3::date[])";
    private static final List<String> TRAITS = List.of("gender", "age", "user_os", "source", "country", "city", "exp_group");
    private static final String TRAIT_COLUMNS = String.join(", ", TRAITS);
    /* per user-day ($1-$3): its events in the rollup, its app's timeout, and a row per kept end (one of NULLs for none) */
    private static final String STORED = """
            SELECT k.row_number, e.session_id, e.first_ts, e.last_ts, e.run_events, e.events AS id_events, %s,
                   (SELECT sum(f.events) FROM fact_user_daily f
                    WHERE f.app_id = k.app_id AND f.event_date = k.event_date AND f.user_id = k.user_id) AS day_events,
                   (SELECT session_timeout_seconds FROM apps a WHERE a.app_id = k.app_id) AS timeout
            FROM unnest($1::text[], $2::date[], $3::text[]) WITH ORDINALITY AS k(app_id, event_date, user_id, row_number)
            LEFT JOIN user_day_session_ends e ON e.app_id = k.app_id AND e.event_date = k.event_date AND e.user_id = k.user_id"""
            .formatted(TRAITS.stream().map(t -> "e." + t).collect(Collectors.joining(", ")));
    private static final String ENDS = """
            INSERT INTO user_day_session_ends AS s (app_id, event_date, user_id, session_id, first_ts, last_ts, run_events, events, %1$s)
            SELECT app_id, event_date, user_id, session_id, first_ts, last_ts, run_events, events, %1$s
            FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::int[],
                        $9::smallint[], $10::smallint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[])
                 WITH ORDINALITY AS r(app_id, event_date, user_id, session_id, first_ts, last_ts, run_events, events, %1$s, row_number)
            ORDER BY row_number
            ON CONFLICT (app_id, event_date, user_id, session_id) DO UPDATE SET first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts,
                run_events = EXCLUDED.run_events, events = EXCLUDED.events, %2$s"""
            .formatted(TRAIT_COLUMNS, TRAITS.stream().map(t -> t + " = EXCLUDED." + t).collect(Collectors.joining(", ")));

    public SessionRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The batch's share of its user-days' sessions, read before the batch's rollup rows are written: they take its
     * changes ({@link UserDailyRollupRepository#apply}); then {@link #write} keeps the ends and recomputes the rest.
     */
    public Uni<SessionDelta> delta(SqlConnection connection, List<EnrichedEvent> fresh) {
        List<UserDay> days = fresh.stream().map(e -> new UserDay(e.appId(), e.eventDate(), e.userId())).distinct().toList();
        if (days.isEmpty()) {
            return Uni.createFrom().item(new SessionDelta(Map.of(), List.of(), Set.of()));
        }
        return connection.preparedQuery(STORED).execute(Tuple.of(days.stream().map(UserDay::appId).toArray(String[]::new),
                        days.stream().map(UserDay::date).toArray(LocalDate[]::new), days.stream().map(UserDay::userId).toArray(String[]::new)))
                .map(rows -> {
                    Map<UserDay, List<SessionDelta.End>> ends = new HashMap<>();
                    Map<UserDay, Long> events = new HashMap<>();
                    Map<String, Integer> timeouts = new HashMap<>();
                    for (Row row : rows) {
                        UserDay day = days.get(row.getInteger("row_number") - 1);
                        Integer timeout = row.getInteger("timeout");
                        if (timeout != null) {
                            timeouts.put(day.appId(), timeout);
                        }
                        Long dayEvents = row.getLong("day_events");
                        events.put(day, dayEvents == null ? 0 : dayEvents);
                        List<SessionDelta.End> dayEnds = ends.computeIfAbsent(day, k -> new ArrayList<>());
                        if (row.getValue("last_ts") != null) {
                            dayEnds.add(new SessionDelta.End(day, row.getString("session_id"), micros(row, "first_ts"), micros(row, "last_ts"),
                                    row.getInteger("run_events"), row.getInteger("id_events"), traits(row)));
                        }
                    }
                    Map<UserDay, SessionDelta.Stored> stored = new HashMap<>();
                    ends.forEach((day, dayEnds) -> stored.put(day, new SessionDelta.Stored(dayEnds, events.get(day))));
                    return SessionDelta.of(fresh, stored, timeouts);
                });
    }

    /** Keeps the delta's ends and recomputes its other user-days from their stored events, once the rollup rows are written. */
    public Uni<Void> write(SqlConnection connection, SessionDelta delta) {
        return ends(connection, delta.ends()).flatMap(x -> recompute(connection, delta.recompute()));
    }

    private static long micros(Row row, String column) {
        return EventTimes.micros(row.getOffsetDateTime(column).toInstant());
    }

    private static UserTraits traits(Row row) {
        Short gender = row.getShort("gender");
        Short age = row.getShort("age");
        return new UserTraits(gender == null ? null : gender.intValue(), age == null ? null : age.intValue(), row.getString("user_os"),
                row.getString("source"), row.getString("country"), row.getString("city"), row.getInteger("exp_group"));
    }

    private static Uni<Void> ends(SqlConnection connection, List<SessionDelta.End> ends) {
        if (ends.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> rows = ends.stream().map(end -> Stream.concat(Stream.of(end.day().appId(), end.day().date(), end.day().userId(),
                end.sessionId(), Sql.ts(EventTimes.instant(end.startMicros())), Sql.ts(EventTimes.instant(end.lastMicros())),
                end.sessionEvents(), end.events()), Sql.traits(end.traits()).stream()).toArray()).toList();
        return connection.preparedQuery(ENDS).execute(Sql.columns(rows, String.class, LocalDate.class, String.class, String.class,
                OffsetDateTime.class, OffsetDateTime.class, Integer.class, Integer.class, Short.class, Short.class, String.class, String.class,
                String.class, String.class, Integer.class)).replaceWithVoid();
    }

    private static Uni<Void> recompute(SqlConnection connection, Set<UserDay> days) {
        Map<String, List<UserDay>> byApp = days.stream().collect(Collectors.groupingBy(UserDay::appId, TreeMap::new, Collectors.toList()));
        return Sql.batch(connection, WRITE, byApp.entrySet().stream().map(app -> Tuple.of(app.getKey(),
                app.getValue().stream().map(UserDay::userId).toArray(String[]::new),
                app.getValue().stream().map(UserDay::date).toArray(LocalDate[]::new))).toList());
    }

    /**
     * Drops the session ends of days before {@code day}, app by app, {@code batch} rows per statement (a user-day without
     * them is recomputed at its next event). Each statement names its app, so it reads the key's range (and on Citus
     * one shard); rows a batch holds are skipped, not waited for: no deadlock with a batch or another replica doing the
     * same, and what is skipped goes at the next run.
     *
     * @return the rows this call deleted
     */
    public Uni<Long> forgetEndsBefore(LocalDate day, int batch) {
        return pool.query("SELECT app_id FROM apps ORDER BY app_id").execute()
                .onItem().transformToMulti(apps -> Multi.createFrom().iterable(apps)).map(row -> row.getString(0))
                .onItem().transformToUniAndConcatenate(app -> Multi.createBy().repeating().uni(() -> pool.preparedQuery("""
                                        DELETE FROM user_day_session_ends WHERE app_id = $1 AND event_date < $2 AND ctid = ANY (ARRAY(
                                            SELECT ctid FROM user_day_session_ends WHERE app_id = $1 AND event_date < $2 LIMIT $3
                                            FOR UPDATE SKIP LOCKED))""")
                                .execute(Tuple.of(app, day, batch)).map(rows -> (long) rows.rowCount()))
                        .whilst(deleted -> deleted == batch)
                        .collect().with(Collectors.summingLong(Long::longValue)))
                .collect().with(Collectors.summingLong(Long::longValue));
    }

    /** An app whose kept sessions do not follow its timeout's current version (changed, or never built). */
    public record Outdated(String appId, int version) {
    }

    private static final String OUTDATED = """
            SELECT app_id, session_timeout_version FROM apps WHERE NOT user_day_sessions_current(app_id)""";

    public Uni<List<Outdated>> outdated(SqlConnection connection) {
        return connection.query(OUTDATED + " ORDER BY app_id").execute().map(SessionRepository::outdated);
    }

    /** The app, if it is outdated now (read again once the rebuild lock is held). */
    public Uni<Optional<Outdated>> outdated(SqlConnection connection, String appId) {
        return connection.preparedQuery(OUTDATED + " AND app_id = $1").execute(Tuple.of(appId))
                .map(rows -> outdated(rows).stream().findFirst());
    }

    private static List<Outdated> outdated(RowSet<Row> rows) {
        List<Outdated> apps = new ArrayList<>();
        rows.forEach(row -> apps.add(new Outdated(row.getString(0), row.getInteger(1))));
        return apps;
    }

    /** The app's days whose events the raw store still has. */
    public Uni<List<LocalDate>> days(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT user_day_sessions_days($1) AS day").execute(Tuple.of(appId)).map(rows -> {
            List<LocalDate> days = new ArrayList<>();
            rows.forEach(row -> days.add(row.getLocalDate(0)));
            return days;
        });
    }

    /** How many of the app's rollup rows of the day keep other sessions than the day's stored events make with its timeout. */
    public Uni<Long> differences(SqlConnection connection, String appId, LocalDate day) {
        return connection.preparedQuery("SELECT user_day_sessions_differences($1, $2)").execute(Tuple.of(appId, day))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Recomputes one day of the app's sessions with its timeout; the caller holds the app. */
    public Uni<Void> writeDay(SqlConnection connection, String appId, LocalDate day) {
        return connection.preparedQuery("SELECT user_day_sessions_write_day($1, $2)").execute(Tuple.of(appId, day)).replaceWithVoid();
    }

    /** Records that the app's sessions follow timeout version {@code version}, unless it changed since; @return whether recorded */
    public Uni<Boolean> kept(SqlConnection connection, String appId, int version) {
        return connection.preparedQuery("SELECT user_day_sessions_kept($1, $2)").execute(Tuple.of(appId, version))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** One rebuild of an app at a time across replicas: a session lock on {@code connection}, held until {@link #unlock}. */
    public Uni<Boolean> tryLock(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT pg_try_advisory_lock(hashtextextended('pulse-sessions-rebuild:' || $1, 0))")
                .execute(Tuple.of(appId)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Releases every session lock of {@code connection} (only the rebuild's is ever held on it), so none goes back to the pool. */
    public Uni<Void> unlock(SqlConnection connection) {
        return connection.query("SELECT pg_advisory_unlock_all()").execute().replaceWithVoid();
    }
}
