package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

    /** Recomputes every user-day of the app with its current timeout, which the app then keeps; the caller holds the app exclusively. */
    public Uni<Integer> rebuild(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT user_day_sessions_rebuild($1)").execute(Tuple.of(appId))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    /** Apps whose sessions were kept with another timeout than theirs now (or were never built). */
    public Uni<List<String>> outdated(SqlConnection connection) {
        return connection.query("""
                        SELECT a.app_id FROM apps a LEFT JOIN app_sessions s USING (app_id)
                        WHERE s.timeout_seconds IS DISTINCT FROM a.session_timeout_seconds ORDER BY a.app_id""").execute()
                .map(rows -> {
                    List<String> apps = new ArrayList<>();
                    rows.forEach(row -> apps.add(row.getString(0)));
                    return apps;
                });
    }
}
