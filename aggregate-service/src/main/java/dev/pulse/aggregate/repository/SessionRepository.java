package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sessions kept on fact_user_daily (V26): after a batch's events are stored and rolled up, each user-day they
 * belong to gets its sessions recomputed from its stored events, so a late event that joins or splits sessions
 * changes the figures exactly. Two transactions never recompute one user-day from snapshots missing each other's
 * events: both upsert the user's user_first_seen row earlier in the transaction (CumulativeRepository; an ON
 * CONFLICT DO UPDATE locks the row even when it changes nothing), so the second waits for the first to commit and
 * its recompute, a later statement, sees the first's events.
 */
@ApplicationScoped
public class SessionRepository {
    private static final String WRITE = "SELECT user_day_sessions_write($1, $2::text[], $3::date[])";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        Map<String, Set<UserDay>> byApp = fresh.stream().collect(Collectors.groupingBy(EnrichedEvent::appId, TreeMap::new,
                Collectors.mapping(e -> new UserDay(e.appId(), e.eventDate(), e.userId()), Collectors.toCollection(LinkedHashSet::new))));
        return Sql.batch(connection, WRITE, byApp.entrySet().stream().map(app -> Tuple.of(app.getKey(),
                app.getValue().stream().map(UserDay::userId).toArray(String[]::new),
                app.getValue().stream().map(UserDay::date).toArray(LocalDate[]::new))).toList());
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
