package dev.pulse.query.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * The funnels' state (user_event_times, written by aggregate-service): per week, event name and user, the distinct
 * epoch microseconds of the user's events, ascending, 8 bytes big-endian each.
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
     * at most {@code limit} rows, folded by {@code collector} user by user (each user's rows together, in week order):
     * a 30-day funnel at 10M events reads ~50 MB of times, which need not all be held at once.
     */
    public <R> Uni<R> weeks(String appId, List<String> events, LocalDate firstWeek, LocalDate lastWeek, long limit,
            Collector<WeekTimes, ?, R> collector) {
        return sql.collect("""
                        SELECT user_id, event, week_start, times FROM user_event_times
                        WHERE app_id = $1 AND week_start BETWEEN $2 AND $3 AND event = ANY ($4::text[])
                        ORDER BY user_id, week_start, event LIMIT $5""",
                List.of(appId, firstWeek, lastWeek, events.toArray(String[]::new), limit),
                Collectors.mapping(EventTimesRepository::weekTimes, collector));
    }

    private static WeekTimes weekTimes(Row row) {
        return new WeekTimes(row.getString(0), row.getString(1), row.getLocalDate(2), decode(row.getBuffer(3)));
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
