package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells query-api's closed-day cache what in an app's past changed: late events bump the days they change, other
 * changes (recompute, erasure, retention) the whole app's version.
 */
@ApplicationScoped
public class ClosedDayVersionRepository {
    /*
     * Per stored event ($1 app, $2 user, $3 day) of a day that has ended in the app's zone when it is stored: its day,
     * and each first day of the user (overall, feed, messenger) after it, which the event may move back (those days'
     * new users change). Read before user_first_seen is updated. Ended when stored, not when received: an event of
     * 23:59 that reaches this transaction after midnight (a backlog, a retry) changes a day query-api may hold.
     */
    private static final String ENDED_DAYS = """
            WITH late AS (SELECT l.* FROM unnest($1::text[], $2::text[], $3::date[]) AS l(app_id, user_id, day)
                          JOIN apps a USING (app_id) WHERE l.day < (clock_timestamp() AT TIME ZONE a.timezone)::date)
            SELECT app_id, user_id, day FROM late
            UNION SELECT l.app_id, l.user_id, d FROM late l JOIN user_first_seen f USING (app_id, user_id),
                unnest(ARRAY[f.first_date, f.first_feed_date, f.first_messenger_date]) AS d WHERE d > l.day""";

    /* in one order, so two batches bumping the same days wait for each other instead of deadlocking; the days' new versions */
    private static final String BUMP_DAYS = """
            INSERT INTO closed_day_changes AS c (app_id, event_date, version)
            SELECT app_id, day, 1 FROM unnest($1::text[], $2::date[]) AS d(app_id, day) ORDER BY app_id, day
            ON CONFLICT (app_id, event_date) DO UPDATE SET version = c.version + 1
            RETURNING app_id, event_date, version""";

    /**
     * The days that the stored events change and that had ended, each with a user whose events change it: those of
     * late events, and of on-time ones stored after their day's midnight. Today's events, the bulk, are passed once
     * per user and day.
     */
    public Uni<List<UserDay>> endedDays(SqlConnection connection, List<EnrichedEvent> fresh) {
        Set<List<Object>> userDays = new LinkedHashSet<>();
        fresh.forEach(e -> userDays.add(List.of(e.appId(), e.userId(), e.eventDate())));
        if (userDays.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return connection.preparedQuery(ENDED_DAYS).execute(Tuple.of(userDays.stream().map(d -> (String) d.get(0)).toArray(String[]::new),
                        userDays.stream().map(d -> (String) d.get(1)).toArray(String[]::new),
                        userDays.stream().map(d -> (LocalDate) d.get(2)).toArray(LocalDate[]::new)))
                .map(rows -> {
                    List<UserDay> days = new ArrayList<>();
                    rows.forEach(row -> days.add(new UserDay(row.getString(0), row.getLocalDate(2), row.getString(1))));
                    return days;
                });
    }

    /**
     * Bumps the days of {@code late}: last in the transaction, so their counters' rows stay locked only until its commit.
     * @return each day's version after the bump
     */
    public Uni<Map<AppDay, Long>> bump(SqlConnection connection, List<UserDay> late) {
        Set<AppDay> days = new LinkedHashSet<>();
        late.forEach(l -> days.add(new AppDay(l.appId(), l.date())));
        return bumpDays(connection, days);
    }

    /** Bumps the days: what query-api holds of them and their day state are stale; @return each day's version after the bump */
    public Uni<Map<AppDay, Long>> bumpDays(SqlConnection connection, Set<AppDay> days) {
        if (days.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return connection.preparedQuery(BUMP_DAYS).execute(Tuple.of(days.stream().map(AppDay::appId).toArray(String[]::new),
                days.stream().map(AppDay::date).toArray(LocalDate[]::new))).map(rows -> {
            Map<AppDay, Long> versions = new HashMap<>();
            rows.forEach(row -> versions.put(new AppDay(row.getString(0), row.getLocalDate(1)), row.getLong(2)));
            return versions;
        });
    }

    public Uni<Void> bump(SqlConnection connection, Set<String> apps) {
        if (apps.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                        INSERT INTO closed_day_versions AS v (app_id, version) SELECT a, 1 FROM unnest($1::text[]) AS a
                        ON CONFLICT (app_id) DO UPDATE SET version = v.version + 1""")
                .execute(Tuple.of(apps.toArray(String[]::new))).replaceWithVoid();
    }
}
