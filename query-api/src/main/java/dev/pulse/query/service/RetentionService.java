package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SPEC §5 retention: cohort D = users first seen in period D; retained[N] = those of them active in period
 * D+N (day or ISO week). Period 0 is the cohort itself. Activity is read from the per-user daily rollup (a
 * user is active on a day iff the day has a rollup row of the user).
 */
@ApplicationScoped
public class RetentionService {
    public record Cohort(String cohort, long size, List<Long> retained, List<Double> rates) {
    }

    /** Cohort sizes (index 0) and retained counts (index N + 1) per cohort, from activity in some periods. */
    private record Cells(Map<String, long[]> counts) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return counts.size();
        }
    }

    private record Question(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, LocalDate activityTo) {
    }

    private final SqlRows sql;
    private final ClosedDayCache cache;

    public RetentionService(SqlRows sql, ClosedDayCache cache) {
        this.sql = sql;
        this.cache = cache;
    }

    public Uni<List<Cohort>> cohorts(App app, LocalDate from, LocalDate to, boolean weekly, int horizon) {
        LocalDate start = weekly ? from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : from;
        LocalDate end = weekly ? to.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusDays(6) : to;
        LocalDate activityEnd = weekly ? end.plusWeeks(horizon) : end.plusDays(horizon);
        // a cell counts the activity of one period: the cells of periods that are over come from the cache, and
        // only the open period's are counted again, along with the cohort sizes
        LocalDate lastClosed = cache.lastClosedDay(app);
        LocalDate periodsOver = weekly ? lastClosed.plusDays(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusDays(1) : lastClosed;
        LocalDate closedTo = periodsOver.isAfter(activityEnd) ? activityEnd : periodsOver;
        LocalDate openFrom = closedTo.plusDays(1);
        Uni<Cells> closed = closedTo.isBefore(start) ? Uni.createFrom().item(new Cells(Map.of()))
                : cache.get(app, closedTo, new Question(app, start, end, weekly, horizon, closedTo),
                        () -> cells(app, start, end, weekly, horizon, start, closedTo, false));
        Uni<Cells> open = cells(app, start, end, weekly, horizon, openFrom.isBefore(start) ? start : openFrom, activityEnd, true);
        return Uni.combine().all().unis(closed, open).asTuple().map(parts -> {
            Map<String, long[]> counts = new LinkedHashMap<>();
            int step = weekly ? 7 : 1;
            for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(step)) {
                long[] cohort = new long[horizon + 2];
                for (Cells part : List.of(parts.getItem1(), parts.getItem2())) {
                    long[] more = part.counts().get(d.toString());
                    for (int i = 0; more != null && i < cohort.length; i++) {
                        cohort[i] += more[i];
                    }
                }
                counts.put(d.toString(), cohort);
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

    /** The cells of cohorts start..end from activity on days activityFrom..activityTo, and their sizes if asked. */
    private Uni<Cells> cells(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, LocalDate activityFrom,
            LocalDate activityTo, boolean sizes) {
        String bucket = weekly ? "date_trunc('week', %s)::date" : "%s";
        int step = weekly ? 7 : 1;
        String query = """
                WITH cohort AS (
                    SELECT user_id, %s AS c FROM user_first_seen WHERE app_id = $1 AND first_date BETWEEN $2 AND $3),
                activity AS (
                    SELECT DISTINCT e.user_id, %s AS p FROM fact_user_daily e JOIN cohort USING (user_id)
                    WHERE e.app_id = $1 AND e.event_date BETWEEN $4 AND $5)
                SELECT c.c, (a.p - c.c) / %d, count(*) FROM cohort c JOIN activity a USING (user_id)
                WHERE a.p >= c.c AND (a.p - c.c) / %d <= $6 GROUP BY 1, 2"""
                .formatted(bucket.formatted("first_date"), bucket.formatted("e.event_date"), step, step)
                + (sizes ? " UNION ALL SELECT c.c, -1 AS k, count(*) FROM cohort c GROUP BY 1" : "");
        return sql.query(query, List.of(app.appId(), start, end, activityFrom, activityTo, horizon)).map(rows -> {
            Map<String, long[]> counts = new HashMap<>();
            for (List<Object> row : rows) {
                long[] cohort = counts.computeIfAbsent((String) row.get(0), c -> new long[horizon + 2]);
                cohort[((Number) row.get(1)).intValue() + 1] = ((Number) row.get(2)).longValue();
            }
            return new Cells(counts);
        });
    }
}
