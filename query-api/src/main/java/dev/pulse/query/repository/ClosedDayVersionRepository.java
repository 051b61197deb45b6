package dev.pulse.query.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in an app's past, as aggregate-service records it: the app's version ({@code closed_day_versions},
 * bumped by changes of its whole past) and a counter per day ({@code closed_day_changes}, bumped by events stored
 * for a day that had ended). Both only grow, so equal sums mean nothing changed.
 */
@ApplicationScoped
public class ClosedDayVersionRepository {
    /** What a value about some of an app's days is valid under: the app's version, the sum of the days' counters. */
    public record Versions(long app, long days) {
    }

    /** The versions of the app's days {@code firstDay..lastDay}. */
    public Uni<Versions> days(SqlRows sql, String appId, LocalDate firstDay, LocalDate lastDay) {
        return sql.query("""
                SELECT (SELECT version FROM closed_day_versions WHERE app_id = $1),
                       (SELECT sum(version) FROM closed_day_changes WHERE app_id = $1 AND event_date BETWEEN $2 AND $3)""",
                List.of(appId, firstDay, lastDay)).map(rows -> new Versions(number(rows.get(0).get(0)), number(rows.get(0).get(1))));
    }

    /** The versions of each day {@code firstDay..lastDay}: the app's, and the day's own counter. */
    public Uni<Map<LocalDate, Versions>> eachDay(SqlRows sql, String appId, LocalDate firstDay, LocalDate lastDay) {
        return sql.query("""
                SELECT d::date, (SELECT version FROM closed_day_versions WHERE app_id = $1), c.version
                FROM generate_series($2::date, $3::date, interval '1 day') AS d
                LEFT JOIN closed_day_changes c ON c.app_id = $1 AND c.event_date = d::date""", List.of(appId, firstDay, lastDay)).map(rows -> {
            Map<LocalDate, Versions> days = new HashMap<>();
            rows.forEach(row -> days.put(LocalDate.parse((String) row.get(0)), new Versions(number(row.get(1)), number(row.get(2)))));
            return days;
        });
    }

    /** The versions of each week (Monday to Sunday) from {@code firstWeek} through {@code lastWeek}, in one statement. */
    public Uni<Map<LocalDate, Versions>> weeks(SqlRows sql, String appId, LocalDate firstWeek, LocalDate lastWeek) {
        return sql.query("""
                SELECT w::date, (SELECT version FROM closed_day_versions WHERE app_id = $1),
                       (SELECT sum(version) FROM closed_day_changes WHERE app_id = $1 AND event_date BETWEEN w::date AND w::date + 6)
                FROM generate_series($2::date, $3::date, interval '1 week') AS w""", List.of(appId, firstWeek, lastWeek)).map(rows -> {
            Map<LocalDate, Versions> weeks = new HashMap<>();
            rows.forEach(row -> weeks.put(LocalDate.parse((String) row.get(0)), new Versions(number(row.get(1)), number(row.get(2)))));
            return weeks;
        });
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
