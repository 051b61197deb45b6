package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SPEC §5 retention: cohort D = users first seen in period D; retained[N] = those of them active in period
 * D+N (day or ISO week). Period 0 is the cohort itself.
 */
@ApplicationScoped
public class RetentionService {
    public record Cohort(String cohort, long size, List<Long> retained, List<Double> rates) {
    }

    private final SqlRows sql;

    public RetentionService(SqlRows sql) {
        this.sql = sql;
    }

    public Uni<List<Cohort>> cohorts(App app, LocalDate from, LocalDate to, boolean weekly, int horizon) {
        LocalDate start = weekly ? from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : from;
        LocalDate end = weekly ? to.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusDays(6) : to;
        LocalDate activityEnd = weekly ? end.plusWeeks(horizon) : end.plusDays(horizon);
        String bucket = weekly ? "date_trunc('week', %s)::date" : "%s";
        int step = weekly ? 7 : 1;
        String query = """
                WITH cohort AS (
                    SELECT user_id, %s AS c FROM user_first_seen WHERE app_id = $1 AND first_date BETWEEN $2 AND $3),
                activity AS (
                    SELECT DISTINCT e.user_id, %s AS p FROM events e JOIN cohort USING (user_id)
                    WHERE e.app_id = $1 AND e.event_date BETWEEN $2 AND $4)
                SELECT c.c, -1 AS k, count(*) FROM cohort c GROUP BY 1
                UNION ALL
                SELECT c.c, (a.p - c.c) / %d, count(*) FROM cohort c JOIN activity a USING (user_id)
                WHERE a.p >= c.c AND (a.p - c.c) / %d <= $5 GROUP BY 1, 2"""
                .formatted(bucket.formatted("first_date"), bucket.formatted("e.event_date"), step, step);
        return sql.query(query, List.of(app.appId(), start, end, activityEnd, horizon)).map(rows -> {
            Map<String, long[]> counts = new LinkedHashMap<>();
            for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(step)) {
                counts.put(d.toString(), new long[horizon + 2]);
            }
            for (List<Object> row : rows) {
                long[] cohort = counts.get((String) row.get(0));
                cohort[((Number) row.get(1)).intValue() + 1] = ((Number) row.get(2)).longValue();
            }
            List<Cohort> cohorts = new ArrayList<>();
            counts.forEach((day, c) -> {
                List<Long> retained = new ArrayList<>();
                List<Double> rates = new ArrayList<>();
                for (int k = 0; k <= horizon; k++) {
                    retained.add(c[k + 1]);
                    rates.add(c[0] == 0 ? 0.0 : Math.round(10_000.0 * c[k + 1] / c[0]) / 10_000.0);
                }
                cohorts.add(new Cohort(day, c[0], retained, rates));
            });
            return cohorts;
        });
    }
}
