package dev.pulse.query.repository;

import dev.pulse.schema.EventTimes;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collector;
import java.util.stream.Collectors;

/**
 * The funnels' state (user_event_times, written by aggregate-service): per week, event name and user, the epoch
 * microseconds of the user's events, 8 bytes big-endian each, in the order batches appended them (V41): read as the
 * set they stand for, ascending and distinct.
 */
@ApplicationScoped
public class EventTimesRepository {
    /** One user's times of one event name in one week; null when the row holds too many to be kept (V25). */
    public record WeekTimes(String userId, String event, LocalDate weekStart, long[] micros) {
    }

    /**
     * Every user's times of one event name in one week (unmodifiable): null for a user whose row was given up (V25);
     * {@code complete} false, and no times, when the week has more rows or bytes than may be held.
     */
    public record EventWeek(Map<String, long[]> times, boolean complete, long bytes) {
        static final EventWeek TOO_BIG = new EventWeek(Map.of(), false, 0);

        /** Bytes one user's entry holds, roughly: its times, and its map entry, key and array header. */
        static long bytes(String user, long[] times) {
            return 96 + 2L * user.length() + (times == null ? 0 : 8L * times.length);
        }
    }

    /**
     * One event name's rows of one week, if there are at most {@code maxUsers} of them holding at most {@code maxBytes}
     * (else {@link EventWeek#TOO_BIG}, and rows past the bound are dropped as they arrive): one range of the primary key.
     */
    public Uni<EventWeek> week(SqlRows sql, String appId, String event, LocalDate weekStart, int maxUsers, long maxBytes) {
        class Users {
            final Map<String, long[]> times = new HashMap<>();
            long bytes;
            boolean tooBig;

            void add(Row row) {
                if (tooBig) {
                    return;
                }
                String user = row.getString(0);
                long[] micros = decode(row.getBuffer(1));
                bytes += EventWeek.bytes(user, micros);
                tooBig = times.size() >= maxUsers || bytes > maxBytes;
                if (tooBig) {
                    times.clear();
                } else {
                    times.put(user, micros);
                }
            }

            EventWeek week() {
                return tooBig ? EventWeek.TOO_BIG : new EventWeek(Collections.unmodifiableMap(times), true, bytes);
            }
        }
        return sql.collect("SELECT user_id, times FROM user_event_times WHERE app_id = $1 AND week_start = $2 AND event = $3 LIMIT $4",
                List.of(appId, weekStart, event, maxUsers + 1), Collector.of(Users::new, Users::add, (a, b) -> {
                    throw new UnsupportedOperationException("rows arrive in one sequence");
                }, Users::week));
    }

    /** The users with a row of {@code event} in one of {@code weeks}, at most {@code limit}; {@code sql}: where to read. */
    public Uni<List<String>> users(SqlRows sql, String appId, String event, List<LocalDate> weeks, long limit) {
        return sql.map("""
                        SELECT DISTINCT user_id FROM user_event_times
                        WHERE app_id = $1 AND week_start = ANY ($2::date[]) AND event = $3 LIMIT $4""",
                List.of(appId, weeks.toArray(LocalDate[]::new), event, limit), row -> row.getString(0));
    }

    /**
     * The rows of {@code users} for {@code events} in the weeks starting from {@code firstWeek} through
     * {@code lastWeek}, folded by {@code collector} user by user (each user's rows together, in week order): a
     * 30-day funnel at 10M events reads ~50 MB of times, which need not all be held at once. Each user's rows are
     * one range of index {@code user_event_times_user}, so the app's other weeks are not read.
     */
    public <R> Uni<R> weeks(SqlRows sql, String appId, List<String> users, List<String> events, LocalDate firstWeek, LocalDate lastWeek,
            Collector<WeekTimes, ?, R> collector) {
        return sql.collect("""
                        SELECT user_id, event, week_start, times FROM user_event_times
                        WHERE app_id = $1 AND user_id = ANY ($2::text[]) AND week_start BETWEEN $3 AND $4 AND event = ANY ($5::text[])
                        ORDER BY user_id, week_start, event""",
                List.of(appId, users.toArray(String[]::new), firstWeek, lastWeek, events.toArray(String[]::new)),
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
        return EventTimes.ascending(micros);
    }
}
