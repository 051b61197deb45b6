package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.EventTimesDelta;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * user_event_times (V25, V41): each user's event times per week and event name, each batch's appended to the row in
 * whatever order batches come (readers sort). Only events new to the raw store reach it, so a replayed event changes
 * nothing. The times are the raw store's event_ts in epoch microseconds, as the driver stores them
 * ({@link EventTimes#micros}), so the state and the raw store agree to the microsecond.
 */
@ApplicationScoped
public class EventTimesRepository {
    /*
     * One statement for the batch's rows, in the delta's order, which the ORDER BY keeps for the locks; each row's times
     * encoded here. Executed row by row, each call planned the encoding function anew and the upsert was a third of
     * PostgreSQL's time; encoding in SQL, once per row, was still most of it, and merging a late time into the stored
     * ones after that (bench/RESULTS.md, issue 15): appended, never merged (V41). A row that would hold too many times
     * is given up (NULL, user_event_times_kept; see V25), and stays so (NULL || x is NULL).
     */
    private static final String UPSERT = """
            INSERT INTO user_event_times AS u (app_id, week_start, event, user_id, times, first_micros, last_micros)
            SELECT app_id, week_start, event, user_id, times, first_micros, last_micros
            FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bytea[], $6::int8[], $7::int8[])
                WITH ORDINALITY AS k(app_id, week_start, event, user_id, times, first_micros, last_micros, row_number)
            ORDER BY row_number
            ON CONFLICT (app_id, week_start, event, user_id) DO UPDATE SET
                times = CASE WHEN user_event_times_kept(length(u.times) + length(EXCLUDED.times)) THEN u.times || EXCLUDED.times END,
                first_micros = least(u.first_micros, EXCLUDED.first_micros), last_micros = greatest(u.last_micros, EXCLUDED.last_micros)""";
    /*
     * the rows with a time in [$3, $4), found by their bounds and then their times (V41): cut out of them, the rest
     * written ascending and distinct (a row NULL for too many times stays NULL: STRICT). A bound inside the cut moves to
     * its edge, so that retention's hourly cut of the same days finds a trimmed row no more.
     */
    private static final String CUT = """
            UPDATE user_event_times SET times = user_event_times_without(times, $3, $4),
                first_micros = CASE WHEN first_micros >= $3 THEN $4 ELSE first_micros END,
                last_micros = CASE WHEN last_micros < $4 THEN $3 - 1 ELSE last_micros END
            WHERE app_id = $1 AND week_start = $2 AND first_micros < $4 AND last_micros >= $3
              AND EXISTS (SELECT 1 FROM user_event_times_decode(times) AS t WHERE t >= $3 AND t < $4)""";
    private static final String EMPTIED = "DELETE FROM user_event_times WHERE app_id = $1 AND week_start = $2 AND length(times) = 0";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        Map<EventTimesDelta.Key, SortedSet<Long>> rows = EventTimesDelta.of(fresh).times();
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object[]> values = rows.entrySet().stream().map(row -> new Object[] {row.getKey().appId(), row.getKey().weekStart(),
                row.getKey().event(), row.getKey().userId(), Buffer.buffer(EventTimes.encode(row.getValue())), row.getValue().first(),
                row.getValue().last()}).toList();
        return connection.preparedQuery(UPSERT).execute(Sql.columns(values, String.class, LocalDate.class, String.class, String.class,
                Buffer.class, Long.class, Long.class)).replaceWithVoid();
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
