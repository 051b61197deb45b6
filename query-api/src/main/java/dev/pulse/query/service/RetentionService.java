package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.RetentionReport.Cohort;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.schema.DayStateDimension;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.roaringbitmap.RoaringBitmap;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * SPEC §5 retention: cohort D = users first seen in period D; retained[N] = those of them active in period
 * D+N (day or ISO week). Period 0 is the cohort itself. A user is active on a day iff the day has a rollup row
 * of the user: read from aggregate's day state where it can answer, else from the per-user daily rollup.
 */
@ApplicationScoped
public class RetentionService {
    /**
     * Which users form the cohorts: those whose rollup rows of their first day pass the filters (user traits), in the
     * group of the breakdown trait on that day (a user whose traits changed that day is in each group they were in).
     */
    public record Segment(List<Filter> filters, Dimension breakdown) {
        public static final Segment ALL = new Segment(List.of(), null);

        boolean whole() {
            return filters.isEmpty() && breakdown == null;
        }
    }

    /** Each cohort's counts, from the activity of some periods. */
    private record Cells(Map<CohortKey, CohortCounts> counts) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return counts.size();
        }
    }

    private record Question(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, Segment segment, LocalDate activityTo) {
    }

    /** A cohort: its group (empty without a breakdown, null where the trait was unknown on the first day) and first day. */
    private record CohortKey(String group, LocalDate start) {
    }

    /** A cohort's size and how many of it were active N periods after its own (0: the cohort's period). */
    private static final class CohortCounts {
        private long size;
        private final long[] retained;

        CohortCounts(int horizon) {
            retained = new long[horizon + 1];
        }

        void add(CohortCounts other) {
            size += other.size;
            for (int k = 0; k < retained.length; k++) {
                retained[k] += other.retained[k];
            }
        }

        double rate(int period) {
            return size == 0 ? 0.0 : Math.round(10_000.0 * retained[period] / size) / 10_000.0;
        }
    }

    private final SqlRows sql;
    private final ClosedDayCache cache;
    private final DayStateService dayState;

    public RetentionService(SqlRows sql, ClosedDayCache cache, DayStateService dayState) {
        this.sql = sql;
        this.cache = cache;
        this.dayState = dayState;
    }

    public Uni<List<Cohort>> cohorts(App app, LocalDate from, LocalDate to, boolean weekly, int horizon, Segment segment) {
        LocalDate start = weekly ? from.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : from;
        LocalDate end = weekly ? to.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).plusDays(6) : to;
        LocalDate activityEnd = weekly ? end.plusWeeks(horizon) : end.plusDays(horizon);
        return fromState(app, start, end, weekly, horizon, segment, activityEnd).flatMap(state -> state.isPresent()
                ? Uni.createFrom().item(state.get()) : fromRollup(app, start, end, weekly, horizon, segment, activityEnd));
    }

    /**
     * The cohorts from aggregate's day state (V33): per day, its first users in each group and its active users as
     * bitmaps, so a cell is the size of an intersection; empty when the state cannot answer (the segment names two
     * dimensions, no day of the cohorts is over or has a state, more groups than an answer may hold).
     */
    private Uni<Optional<List<Cohort>>> fromState(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, Segment segment,
            LocalDate activityEnd) {
        List<Dimension> dimensions = segment.breakdown() == null ? List.of(Dimension.TIME_DAY) : List.of(Dimension.TIME_DAY, segment.breakdown());
        Query firstDays = new Query(app, List.of(), start, end, dimensions, segment.filters(), List.of(), Integer.MAX_VALUE, 0);
        Query activity = new Query(app, List.of(), start, activityEnd, List.of(Dimension.TIME_DAY), List.of(), List.of(), Integer.MAX_VALUE, 0);
        LocalDate lastClosed = cache.lastClosedDay(app);
        Optional<DayStateDimension> dimension = dayState.dimension(firstDays);
        if (dimension.isEmpty() || lastClosed.isBefore(start)) {
            return Uni.createFrom().item(Optional.empty());
        }
        DayStateService.Unnumbered unnumbered = new DayStateService.Unnumbered();
        // a whole segment's cohorts are the activity's days' new users: one read of the days answers both
        Query cohortDays = segment.whole() ? activity : firstDays;
        // on one server: with several replicas, the lookup of the ordinals sees at least what each read saw
        return sql.onOneServer(server -> {
            Uni<Optional<DayStateService.StateGroups>> cohorts = dayState.groups(cohortDays, dimension.get(), List.of(Partial.NEW),
                    cohortDays.to().isAfter(lastClosed) ? lastClosed : cohortDays.to(), unnumbered, server).memoize().indefinitely();
            Uni<Optional<DayStateService.StateGroups>> active = segment.whole() ? cohorts : dayState.groups(activity, DayStateDimension.TOTAL,
                    List.of(), activityEnd.isAfter(lastClosed) ? lastClosed : activityEnd, unnumbered, server);
            return Uni.combine().all().unis(cohorts, active).asTuple().flatMap(parts -> {
                if (parts.getItem1().isEmpty() || parts.getItem2().isEmpty()) {
                    return Uni.createFrom().item(Optional.<List<Cohort>>empty());
                }
                return dayState.renumbering(app, unnumbered, server).map(renumber -> {
                    DayStateService.StateGroups first = renumber.apply(parts.getItem1().get());
                    DayStateService.StateGroups activeGroups = segment.whole() ? first : renumber.apply(parts.getItem2().get());
                    return Optional.of(cohorts(first, activeGroups, start, end, weekly, horizon, segment));
                });
            });
        });
    }

    /** The cohorts of the state's groups: the first users of {@code first}'s groups, active as {@code active} says. */
    private List<Cohort> cohorts(DayStateService.StateGroups first, DayStateService.StateGroups active, LocalDate start, LocalDate end,
            boolean weekly, int horizon, Segment segment) {
        Map<CohortKey, RoaringBitmap> members = new HashMap<>();
        if (segment.whole()) {
            // the whole cohort is every user first seen that day, as user_first_seen says, whether or not the day
            // still has rollup rows (the app's retention drops old days' rows, not their survivors' first days)
            first.firstUsersByBucket().forEach((day, users) -> members.computeIfAbsent(new CohortKey("", period(day, weekly)),
                    k -> new RoaringBitmap()).or(users));
        }
        first.groups().forEach((key, users) -> {
            RoaringBitmap newUsers = users.newUsers(first.firstUsers(key));
            if (!newUsers.isEmpty()) {
                String group = segment.breakdown() == null ? "" : key.get(1) == null ? null : key.get(1).toString();
                members.computeIfAbsent(new CohortKey(group, period((String) key.getFirst(), weekly)), k -> new RoaringBitmap()).or(newUsers);
            }
        });
        Map<LocalDate, RoaringBitmap> activeIn = new HashMap<>();
        active.groups().forEach((key, users) -> activeIn.computeIfAbsent(period((String) key.getFirst(), weekly), k -> new RoaringBitmap()).or(users.users()));
        Map<CohortKey, CohortCounts> counts = new HashMap<>();
        int step = weekly ? 7 : 1;
        members.forEach((key, users) -> {
            CohortCounts cells = new CohortCounts(horizon);
            cells.size = users.getLongCardinality();
            for (int k = 0; k <= horizon; k++) {
                RoaringBitmap activeThen = activeIn.get(key.start().plusDays((long) k * step));
                cells.retained[k] = activeThen == null ? 0 : RoaringBitmap.andCardinality(users, activeThen);
            }
            counts.put(key, cells);
        });
        return report(start, end, weekly, horizon, segment, List.of(new Cells(counts)));
    }

    /** The period (the day, or the Monday of its week) of a day given as YYYY-MM-DD. */
    private static LocalDate period(String day, boolean weekly) {
        LocalDate date = LocalDate.parse(day);
        return weekly ? date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : date;
    }

    /** The cohorts from the rollup per user: SQL joins each cohort's users to their activity. */
    private Uni<List<Cohort>> fromRollup(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, Segment segment, LocalDate activityEnd) {
        // a cell counts the activity of one period: the cells of periods that are over come from the cache, and
        // only the open period's are counted again, along with the cohort sizes
        LocalDate lastClosed = cache.lastClosedDay(app);
        LocalDate periodsOver = weekly ? lastClosed.plusDays(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusDays(1) : lastClosed;
        LocalDate closedTo = periodsOver.isAfter(activityEnd) ? activityEnd : periodsOver;
        LocalDate openFrom = closedTo.plusDays(1);
        Uni<Cells> closed = closedTo.isBefore(start) ? Uni.createFrom().item(new Cells(Map.of()))
                : cache.get(sql, app, start, closedTo, new Question(app, start, end, weekly, horizon, segment, closedTo),
                        server -> cells(app, start, end, weekly, horizon, segment, start, closedTo, false, server));
        Uni<Cells> open = cells(app, start, end, weekly, horizon, segment, openFrom.isBefore(start) ? start : openFrom, activityEnd, true, sql);
        return Uni.combine().all().unis(closed, open).asTuple().map(parts -> report(start, end, weekly, horizon, segment,
                List.of(parts.getItem1(), parts.getItem2())));
    }

    /** Every cohort period of every group that has a cohort (a group exists by its members, so by the sizes in {@code parts}). */
    private static List<Cohort> report(LocalDate start, LocalDate end, boolean weekly, int horizon, Segment segment, List<Cells> parts) {
        Set<String> groups = new TreeSet<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        parts.forEach(part -> part.counts().forEach((key, counts) -> {
            if (counts.size > 0) {
                groups.add(key.group());
            }
        }));
        if (segment.breakdown() == null) {
            groups.add("");
        }
        List<Cohort> cohorts = new ArrayList<>();
        int step = weekly ? 7 : 1;
        for (String group : groups) {
            for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(step)) {
                CohortCounts c = new CohortCounts(horizon);
                for (Cells part : parts) {
                    CohortCounts more = part.counts().get(new CohortKey(group, d));
                    if (more != null) {
                        c.add(more);
                    }
                }
                List<Long> retained = new ArrayList<>();
                List<Double> rates = new ArrayList<>();
                for (int k = 0; k <= horizon; k++) {
                    retained.add(c.retained[k]);
                    rates.add(c.rate(k));
                }
                cohorts.add(new Cohort(d.toString(), segment.breakdown() == null ? null : group, c.size, retained, rates));
            }
        }
        return cohorts;
    }

    /** The cells of cohorts start..end from activity on days activityFrom..activityTo, and their sizes if asked, read through {@code sql}. */
    private Uni<Cells> cells(App app, LocalDate start, LocalDate end, boolean weekly, int horizon, Segment segment,
            LocalDate activityFrom, LocalDate activityTo, boolean sizes, SqlRows sql) {
        String bucket = weekly ? "date_trunc('week', %s)::date" : "%s";
        int step = weekly ? 7 : 1;
        Binds binds = new Binds();
        String appId = binds.bind(app.appId());
        String cohortsFrom = binds.bind(start);
        String cohortsTo = binds.bind(end);
        String activeFrom = binds.bind(activityFrom);
        String activeTo = binds.bind(activityTo);
        String periods = binds.bind(horizon);
        String cohort = segment.whole()
                ? "SELECT user_id, '' AS g, " + bucket.formatted("first_date") + " AS c FROM user_first_seen WHERE app_id = " + appId
                        + " AND first_date BETWEEN " + cohortsFrom + " AND " + cohortsTo
                : "SELECT DISTINCT s.user_id, " + (segment.breakdown() == null ? "''" : "(" + segment.breakdown().sql() + ")::text")
                        + " AS g, " + bucket.formatted("s.first_date") + " AS c FROM user_first_seen s"
                        + " CROSS JOIN " + Sources.probe("SELECT e.* FROM " + Sources.of("fact_user_daily", Sources.needsFirstSeen(
                                segment.breakdown() == null ? List.of() : List.of(segment.breakdown()), segment.filters())) + " e"
                                + " WHERE e.app_id = s.app_id AND e.user_id = s.user_id AND e.event_date = s.first_date") + " e"
                        + " WHERE s.app_id = " + appId + " AND s.first_date BETWEEN " + cohortsFrom + " AND " + cohortsTo
                        + FilterSql.conditions(segment.filters(), binds);
        // each user's cohorts and active periods gathered by grouping, not by joining the two: planned for an app the
        // statistics do not know yet as one row each, the join compared every cohort member with every active period
        // (51.6 s instead of milliseconds for a new app's 10,000 users; Sources.probe). Every active user of the
        // window is grouped, those of no cohort too: leaving them out by a probe of their first day cost as much per
        // row as grouping them (bench/RESULTS.md)
        String query = """
                WITH cohort AS (%s),
                users AS (
                    SELECT m.user_id, array_agg(m.g) FILTER (WHERE m.p IS NULL) AS gs, array_agg(m.c) FILTER (WHERE m.p IS NULL) AS cs,
                           array_agg(m.p) FILTER (WHERE m.p IS NOT NULL) AS ps
                    FROM (SELECT user_id, g, c, NULL::date AS p FROM cohort
                          UNION ALL SELECT DISTINCT e.user_id, NULL::text, NULL::date, %s FROM fact_user_daily e
                          WHERE e.app_id = %s AND e.event_date BETWEEN %s AND %s) m
                    GROUP BY m.user_id)
                SELECT x.g, x.c, (a.p - x.c) / %d, count(*) FROM users u CROSS JOIN unnest(u.gs, u.cs) AS x(g, c) CROSS JOIN unnest(u.ps) AS a(p)
                WHERE a.p >= x.c AND (a.p - x.c) / %d <= %s GROUP BY 1, 2, 3"""
                .formatted(cohort, bucket.formatted("e.event_date"), appId, activeFrom, activeTo, step, step, periods)
                + (sizes ? " UNION ALL SELECT c.g, c.c, -1 AS k, count(*) FROM cohort c GROUP BY 1, 2" : "");
        return sql.query(query, binds.values()).map(rows -> {
            Map<CohortKey, CohortCounts> counts = new HashMap<>();
            for (List<Object> row : rows) {
                CohortCounts cells = counts.computeIfAbsent(new CohortKey((String) row.get(0), LocalDate.parse((String) row.get(1))), k -> new CohortCounts(horizon));
                int period = ((Number) row.get(2)).intValue();
                long count = ((Number) row.get(3)).longValue();
                // period -1: the cohort's size (the query's second part)
                if (period < 0) {
                    cells.size = count;
                } else {
                    cells.retained[period] = count;
                }
            }
            return new Cells(counts);
        });
    }
}
