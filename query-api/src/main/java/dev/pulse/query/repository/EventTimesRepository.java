package dev.pulse.query.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;

/**
 * The funnels' state (user_event_times, written by aggregate-service): per event name, user and app-local week, the
 * distinct epoch microseconds of the user's events, ascending, 8 bytes big-endian each.
 */
@ApplicationScoped
public class EventTimesRepository {
    /** One user's times of one event name in one week; null when the row holds too many to be kept (V25). */
    public record WeekTimes(String userId, String event, LocalDate weekStart, long[] micros) {
    }

    private final SqlRows sql;

    public EventTimesRepository(SqlRows sql) {
        this.sql = sql;
    }

    /**
     * The weeks starting from {@code firstWeek} through {@code lastWeek} of the users who did any of {@code events},
     * at most {@code limit} rows.
     */
    public Uni<List<WeekTimes>> weeks(String appId, List<String> events, LocalDate firstWeek, LocalDate lastWeek, long limit) {
        return sql.map("""
                        SELECT user_id, event, week_start, times FROM user_event_times
                        WHERE app_id = $1 AND week_start BETWEEN $2 AND $3 AND event = ANY ($4::text[]) LIMIT $5""",
                List.of(appId, firstWeek, lastWeek, events.toArray(String[]::new), limit),
                row -> new WeekTimes(row.getString(0), row.getString(1), row.getLocalDate(2), decode(row.getBuffer(3))));
    }

    static long[] decode(Buffer times) {
        if (times == null) {
            return null;
        }
        long[] micros = new long[times.length() / Long.BYTES];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = times.getLong(i * Long.BYTES);
        }
        return micros;
    }
}
