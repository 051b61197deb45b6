package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.EventTimesDelta;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * user_event_times (V25): each user's event times per week and event name, merged as a set, so a replayed event
 * changes nothing. The times travel as timestamptz and become microseconds in PostgreSQL, exactly as the raw
 * store's event_ts does (extract(epoch) of the same value), so the state and the raw store agree to the microsecond.
 */
@ApplicationScoped
public class EventTimesRepository {
    /*
     * One statement for the batch's rows ($1-$4, one element per row, in the delta's order, which the ORDER BY keeps
     * for the locks) and their times ($5: the row's ordinal, $6: the time): executed row by row, each call planned
     * the encoding function anew and the upsert was a third of PostgreSQL's time (bench/RESULTS.md, issue 15).
     * A row that would hold too many times is given up (NULL, user_event_times_kept; see V25).
     */
    private static final String UPSERT = """
            INSERT INTO user_event_times AS u (app_id, week_start, event, user_id, times)
            SELECT k.app_id, k.week_start, k.event, k.user_id, t.times
            FROM unnest($1::text[], $2::date[], $3::text[], $4::text[]) WITH ORDINALITY AS k(app_id, week_start, event, user_id, row_number)
            JOIN (SELECT row_number, user_event_times_encode(array_agg((extract(epoch FROM at) * 1000000)::bigint)) AS times
                  FROM unnest($5::bigint[], $6::timestamptz[]) AS x(row_number, at) GROUP BY row_number) AS t USING (row_number)
            ORDER BY k.row_number
            ON CONFLICT (app_id, week_start, event, user_id) DO UPDATE SET times =
                CASE WHEN user_event_times_kept(length(u.times) + length(EXCLUDED.times)) THEN user_event_times_merge(u.times, EXCLUDED.times) END""";
    /* the rows with a time in [$3, $4): cut out of them (a row NULL for too many times stays NULL: STRICT) */
    private static final String CUT = """
            UPDATE user_event_times SET times = user_event_times_without(times, $3, $4)
            WHERE app_id = $1 AND week_start = $2 AND user_event_times_at(times, 0) < $4 AND user_event_times_at(times, length(times) - 8) >= $3""";
    private static final String EMPTIED = "DELETE FROM user_event_times WHERE app_id = $1 AND week_start = $2 AND length(times) = 0";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        Map<EventTimesDelta.Key, List<Instant>> rows = EventTimesDelta.of(fresh).times();
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int size = rows.size();
        String[] apps = new String[size];
        LocalDate[] weeks = new LocalDate[size];
        String[] events = new String[size];
        String[] users = new String[size];
        List<Long> ordinals = new ArrayList<>();
        List<OffsetDateTime> times = new ArrayList<>();
        int row = 0;
        for (Map.Entry<EventTimesDelta.Key, List<Instant>> entry : rows.entrySet()) {
            EventTimesDelta.Key k = entry.getKey();
            apps[row] = k.appId();
            weeks[row] = k.weekStart();
            events[row] = k.event();
            users[row] = k.userId();
            row++;
            for (Instant at : entry.getValue()) {
                ordinals.add((long) row);
                times.add(Sql.ts(at));
            }
        }
        return connection.preparedQuery(UPSERT).execute(Tuple.from(new Object[] {apps, weeks, events, users,
                ordinals.toArray(Long[]::new), times.toArray(OffsetDateTime[]::new)})).replaceWithVoid();
    }

    /**
     * Removes the times of app-local days {@code from} (inclusive) to {@code until} (exclusive), both in the same week,
     * and rows left empty. The days' bounds come from the app's zone in Java, as event_date does in enrich-service, so
     * the times cut are exactly those of the days' stored events: PostgreSQL reads some zone names differently
     * ("+05:30" as POSIX, with the sign turned).
     */
    public Uni<Void> cut(SqlConnection connection, String appId, ZoneId zone, LocalDate from, LocalDate until) {
        LocalDate week = EventTimes.weekStart(from);
        return connection.preparedQuery(CUT).execute(Tuple.of(appId, week, EventTimes.dayStart(from, zone), EventTimes.dayStart(until, zone)))
                .flatMap(x -> connection.preparedQuery(EMPTIED).execute(Tuple.of(appId, week)))
                .replaceWithVoid();
    }

    /** {@link #cut} of one app-local day, in the app's zone as enrich-service reads it; an unknown app has nothing to cut. */
    public Uni<Void> cutDay(SqlConnection connection, String appId, LocalDate day) {
        return connection.preparedQuery("SELECT timezone FROM apps WHERE app_id = $1").execute(Tuple.of(appId))
                .flatMap(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                        : cut(connection, appId, ZoneId.of(rows.iterator().next().getString(0)), day, day.plusDays(1)));
    }
}
