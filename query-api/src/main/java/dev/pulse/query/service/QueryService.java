package dev.pulse.query.service;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Order;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.query.domain.ResultRow;
import dev.pulse.query.domain.RollupTotals;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers a query: aggregates and rolling metrics from the raw store or the per-user daily rollup, merged per
 * dimension values, with every time bucket of the range present (zeros where nothing happened), ordered and paginated.
 */
@ApplicationScoped
public class QueryService {
    public record Answer(List<ResultRow> rows, int totalRows) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return rows.size();
        }
    }

    private final QueryCompiler compiler;
    private final SqlRows sql;
    private final ClosedDayCache cache;
    private final QueryConfig config;
    private final DayStateService dayState;

    public QueryService(QueryCompiler compiler, SqlRows sql, ClosedDayCache cache, QueryConfig config, DayStateService dayState) {
        this.compiler = compiler;
        this.dayState = dayState;
        this.sql = sql;
        this.cache = cache;
        this.config = config;
    }

    public Uni<Answer> run(Query query) {
        LocalDate lastClosed = cache.lastClosedDay(query.app());
        boolean spans = !query.from().isAfter(lastClosed) && query.to().isAfter(lastClosed);
        if (spans && query.dimensions().contains(Dimension.TIME_DAY)) {
            // every metric of a daily row depends on its day only, so a series splits into the days that are over,
            // answered from the cache, and the open ones, computed: a dashboard's "30d" reads one day, not thirty
            Query closed = query.allRowsBetween(query.from(), lastClosed);
            Query open = query.allRowsBetween(lastClosed.plusDays(1), query.to());
            return Uni.combine().all().unis(cache.get(sql, query.app(), query.from(), lastClosed, closed, server -> compute(closed, null, server)),
                    compute(open, null, sql)).asTuple().map(parts -> {
                Map<List<Object>, Object[]> rows = new LinkedHashMap<>();
                for (Answer part : List.of(parts.getItem1(), parts.getItem2())) {
                    part.rows().forEach(row -> rows.put(new ArrayList<>(row.dimensions()), row.metrics().toArray()));
                }
                return page(query, rows);
            });
        }
        return cache.get(sql, query.app(), query.from(), query.to(), query, server -> compute(query, spans ? lastClosed : null, server));
    }

    /** Per-user partials of a query's rollup rows up to {@code lastDay}: what the cache keeps of a range's closed days. */
    private record PartialsQuestion(App app, List<Dimension> dimensions, List<Filter> filters, List<Partial> partials,
            boolean perUser, LocalDate from, LocalDate to, LocalDate lastDay) {
    }

    /**
     * The answer, read through {@code sql}; where it reads the rollup over days partly over ({@code lastClosed} not
     * null), those come from the cache.
     */
    private Uni<Answer> compute(Query query, LocalDate lastClosed, SqlRows sql) {
        List<Metric> plain = query.metrics().stream().filter(m -> !m.isRolling() && m.sevenDaysEarlier().isEmpty() && !m.readsMessengerSides()
                && !m.needsViewToLike() && !m.distinctInEventRollup()).toList();
        List<Metric> facts = query.metrics().stream().filter(m -> compiler.inDailyFacts(query, m)).toList();
        List<Metric> distinct = query.metrics().stream().filter(m -> m.distinctInEventRollup() && !facts.contains(m)).toList();
        List<Metric> sides = query.metrics().stream().filter(Metric::readsMessengerSides).toList();
        List<Metric> toLike = query.metrics().stream().filter(Metric::needsViewToLike).toList();
        List<Metric> moved = query.metrics().stream().filter(m -> m.sevenDaysEarlier().isPresent()).toList();
        boolean rolling = query.metrics().stream().anyMatch(Metric::isRolling);
        int dims = query.dimensions().size();
        Uni<Map<List<Object>, Object[]>> aggregates;
        if (plain.isEmpty()) {
            aggregates = Uni.createFrom().item(new LinkedHashMap<>());
        } else if (compiler.readsRollup(query, plain)) {
            aggregates = fromRollup(query, plain, lastClosed, sql);
        } else {
            aggregates = run(compiler.aggregate(query, plain), sql).map(results -> {
                Map<List<Object>, Object[]> rows = new LinkedHashMap<>();
                put(query, rows, results, plain);
                return rows;
            });
        }
        Uni<List<List<Object>>> rollings = rolling ? run(compiler.rolling(query), sql) : Uni.createFrom().item(List.of());
        Uni<List<List<Object>>> sideRows = sides.isEmpty() ? Uni.createFrom().item(List.of()) : run(compiler.messengerSides(query, sides), sql);
        Uni<List<List<Object>>> distinctRows = distinct.isEmpty() ? Uni.createFrom().item(List.of()) : distinct(query, distinct, sql);
        Uni<List<List<Object>>> factRows = facts.isEmpty() ? Uni.createFrom().item(List.of()) : distinct(query, facts, sql);
        Uni<List<List<Object>>> toLikeRows = toLike.isEmpty() ? Uni.createFrom().item(List.of()) : run(compiler.viewToLike(query, toLike), sql);
        Uni<Answer> earlier = moved.isEmpty() ? Uni.createFrom().item(new Answer(List.of(), 0)) : compute(new Query(query.app(),
                moved.stream().map(m -> m.sevenDaysEarlier().orElseThrow()).toList(), query.from().minusDays(7), query.to().minusDays(7),
                query.dimensions(), query.filters(), List.of(), Integer.MAX_VALUE, 0), null, sql);
        return Uni.combine().all().unis(aggregates, rollings, earlier, sideRows, toLikeRows, distinctRows, factRows).asTuple().map(results -> {
            Map<List<Object>, Object[]> rows = results.getItem1();
            put(query, rows, results.getItem4(), sides);
            put(query, rows, results.getItem5(), toLike);
            put(query, rows, results.getItem6(), distinct);
            put(query, rows, results.getItem7(), facts);
            for (List<Object> row : results.getItem2()) {
                Object[] values = values(query, rows, row.subList(0, dims));
                setIfAsked(query, values, Metric.WAU, row.get(dims));
                setIfAsked(query, values, Metric.MAU, row.get(dims + 1));
            }
            int time = query.timeDimension().map(query.dimensions()::indexOf).orElse(-1);
            for (ResultRow row : results.getItem3().rows()) {
                List<Object> key = new ArrayList<>(row.dimensions());
                if (time >= 0) {
                    // a day or a week bucket, 7 days on: the label of the bucket it counts in
                    key.set(time, LocalDate.parse((String) key.get(time)).plusDays(7).toString());
                }
                Object[] values = values(query, rows, key);
                for (int i = 0; i < moved.size(); i++) {
                    values[query.metrics().indexOf(moved.get(i))] = row.metrics().get(i);
                }
            }
            return page(query, rows);
        });
    }

    /** A distinct count's question about days, each day's rows kept apart. */
    private record DistinctQuestion(App app, List<Metric> metrics, List<Dimension> dimensions, List<Filter> filters) {
    }

    private record DayRows(List<List<Object>> rows) implements ClosedDayCache.Weighted {
        @Override
        public int weight() {
            return rows.size();
        }
    }

    /**
     * The rows of {@link Metric#distinctInEventRollup} metrics, all of them {@link QueryCompiler#inDailyFacts} or none. A daily
     * series of closed days of those of {@link Metric#ofItsDayAlone} is cached per day, so that a late event makes only its
     * own day be read again: over the whole range, such a series under late events was a distinct count over a month of
     * rollup rows per call (bench/RESULTS.md, session 24).
     */
    private Uni<List<List<Object>>> distinct(Query query, List<Metric> metrics, SqlRows sql) {
        boolean facts = compiler.inDailyFacts(query, metrics.get(0));
        int day = query.dimensions().indexOf(Dimension.TIME_DAY);
        if (day < 0 || query.to().isAfter(cache.lastClosedDay(query.app())) || !metrics.stream().allMatch(Metric::ofItsDayAlone)) {
            return run(facts ? compiler.dailyFacts(query, metrics, null) : compiler.distinctInEventRollup(query, metrics), sql);
        }
        DistinctQuestion question = new DistinctQuestion(query.app(), metrics, query.dimensions(), query.filters());
        return cache.<DayRows>eachDay(sql, query.app(), query.from(), query.to(), question,
                (server, days) -> run(facts ? compiler.dailyFacts(query, metrics, days) : compiler.distinctInEventRollup(query, metrics, days), server).map(rows -> {
                    Map<LocalDate, DayRows> byDay = new LinkedHashMap<>();
                    days.forEach(d -> byDay.put(d, new DayRows(new ArrayList<>())));
                    rows.forEach(row -> byDay.get(LocalDate.parse((String) row.get(day))).rows().add(row));
                    return byDay;
                })).map(byDay -> byDay.values().stream().flatMap(d -> d.rows().stream()).toList());
    }

    /** Rows of columns d0..dn, m0..mk into the answer's rows, each metric in its place in the query. */
    private static void put(Query query, Map<List<Object>, Object[]> rows, List<List<Object>> results, List<Metric> metrics) {
        int dims = query.dimensions().size();
        for (List<Object> row : results) {
            Object[] values = values(query, rows, row.subList(0, dims));
            for (int i = 0; i < metrics.size(); i++) {
                values[query.metrics().indexOf(metrics.get(i))] = row.get(dims + i);
            }
        }
    }

    private Uni<Map<List<Object>, Object[]>> fromRollup(Query query, List<Metric> metrics, LocalDate lastClosed, SqlRows sql) {
        List<Partial> partials = metrics.stream().flatMap(m -> m.partials().stream()).distinct().sorted().toList();
        boolean perUser = metrics.stream().anyMatch(Metric::countsUsers);
        boolean overAll = !query.to().isAfter(cache.lastClosedDay(query.app()));
        // the last day the closed days' state answers for: before the range when none of it is over (the state of the
        // days not over yet answers where it has all of them)
        LocalDate lastStateDay = lastClosed != null ? lastClosed : overAll ? query.to() : query.from().minusDays(1);
        Uni<Map<List<Object>, RollupTotals>> groups = dayState.dimension(query)
                .map(dimension -> dayState.totals(query, dimension, partials, lastStateDay, sql)
                        .flatMap(totals -> totals.isPresent() ? Uni.createFrom().item(totals.get()) : perUserTotals(query, partials, perUser, lastClosed, sql)))
                .orElseGet(() -> perUserTotals(query, partials, perUser, lastClosed, sql));
        return groups.map(totalsByGroup -> {
            Map<List<Object>, Object[]> rows = new LinkedHashMap<>();
            totalsByGroup.forEach((group, totals) -> {
                Object[] values = values(query, rows, group);
                for (Metric metric : metrics) {
                    values[query.metrics().indexOf(metric)] = metric.fromRollup(totals);
                }
            });
            return rows;
        });
    }

    /** Per group, the totals of the rollup read per user, or per group where the range is not partly over. */
    private Uni<Map<List<Object>, RollupTotals>> perUserTotals(Query query, List<Partial> partials, boolean perUser, LocalDate lastClosed,
            SqlRows sql) {
        if (lastClosed == null) {
            return groupTotals(query, partials, perUser, sql);
        }
        // distinct users over several days do not add up, per-user partials do: the closed days' are cached,
        // the open days' read, and the two merged per group and user
        PartialsQuestion question = new PartialsQuestion(query.app(), query.dimensions(), query.filters(), partials, perUser,
                query.from(), query.to(), lastClosed);
        Uni<UserPartials> closed = cache.get(sql, query.app(), query.from(), lastClosed, question,
                server -> partials(query, partials, perUser, query.from(), lastClosed, server));
        Uni<UserPartials> open = partials(query, partials, perUser, lastClosed.plusDays(1), query.to(), sql);
        // more (group, user) pairs than may be held: PostgreSQL sums the whole range per group instead, uncached
        return Uni.combine().all().unis(closed, open).asTuple().map(parts -> parts.getItem1().totals(parts.getItem2()))
                .onFailure(TooManyRows.class).recoverWithUni(() -> groupTotals(query, partials, perUser, sql));
    }

    private Uni<Map<List<Object>, RollupTotals>> groupTotals(Query query, List<Partial> partials, boolean perUser, SqlRows sql) {
        int dims = query.dimensions().size();
        return run(compiler.groupTotals(query, partials, perUser), sql).map(rows -> {
            Map<List<Object>, RollupTotals> groups = new LinkedHashMap<>();
            for (List<Object> row : rows) {
                Object[] sums = new Object[Partial.values().length];
                for (int i = 0; i < partials.size(); i++) {
                    sums[partials.get(i).ordinal()] = row.get(dims + i);
                }
                long[] users = new long[row.size() - dims - partials.size()];
                for (int i = 0; i < users.length; i++) {
                    users[i] = ((Number) row.get(dims + partials.size() + i)).longValue();
                }
                groups.put(new ArrayList<>(row.subList(0, dims)), RollupTotals.summed(sums, users));
            }
            return groups;
        });
    }

    private Uni<UserPartials> partials(Query query, List<Partial> partials, boolean perUser, LocalDate from, LocalDate to, SqlRows sql) {
        return run(compiler.partials(query, partials, perUser, from, to), sql)
                .map(rows -> UserPartials.of(rows, query.dimensions().size(), partials));
    }

    /** Every time bucket present, ordered, one page of it. */
    private Answer page(Query query, Map<List<Object>, Object[]> rows) {
        fillTimeBuckets(query, rows);
        List<ResultRow> ordered = new ArrayList<>(rows.size());
        rows.forEach((key, values) -> ordered.add(new ResultRow(key, java.util.Arrays.asList(values))));
        ordered.sort(comparator(query));
        int total = ordered.size();
        int from = Math.min(query.offset(), total);
        return new Answer(ordered.subList(from, (int) Math.min(total, (long) from + query.limit())), total);
    }

    /** At most max-rows rows are read: one more means the question is too big, known before it fills memory. */
    private Uni<List<List<Object>>> run(QueryCompiler.Compiled compiled, SqlRows sql) {
        int max = config.maxRows();
        return sql.query(compiled.sql() + " LIMIT " + (max + 1), compiled.params()).invoke(rows -> {
            if (rows.size() > max) {
                throw tooManyRows();
            }
        });
    }

    /** A question whose rows would be more than max-rows: a 400, unless another way to answer it holds fewer. */
    private static final class TooManyRows extends ProblemException {
        TooManyRows(int max) {
            super(400, "Bad Request", "dimensions: the answer would hold more than " + max + " groups: narrow it (fewer days,"
                    + " a filter, fewer or coarser dimensions, e.g. time:week instead of time:day)", "dimensions", null, null);
        }
    }

    private TooManyRows tooManyRows() {
        return new TooManyRows(config.maxRows());
    }

    private static Object[] values(Query query, Map<List<Object>, Object[]> rows, List<Object> key) {
        return rows.computeIfAbsent(new ArrayList<>(key), k -> zeros(query));
    }

    private static Object[] zeros(Query query) {
        Object[] values = new Object[query.metrics().size()];
        java.util.Arrays.fill(values, 0L);
        return values;
    }

    private static void setIfAsked(Query query, Object[] values, Metric metric, Object value) {
        int index = query.metrics().indexOf(metric);
        if (index >= 0) {
            values[index] = value;
        }
    }

    /** Charts need continuous series: every bucket of the range, for every combination of the other dimensions. */
    private void fillTimeBuckets(Query query, Map<List<Object>, Object[]> rows) {
        Dimension time = query.timeDimension().orElse(null);
        if (time == null) {
            if (query.dimensions().isEmpty() && rows.isEmpty()) {
                rows.put(List.of(), zeros(query));
            }
            return;
        }
        int position = query.dimensions().indexOf(time);
        Set<List<Object>> others = new LinkedHashSet<>();
        for (List<Object> key : rows.keySet()) {
            List<Object> rest = new ArrayList<>(key);
            rest.remove(position);
            others.add(rest);
        }
        if (others.isEmpty() && query.dimensions().size() == 1) {
            others.add(List.of());
        }
        List<String> buckets = buckets(time, query.from(), query.to());
        if ((long) buckets.size() * others.size() > config.maxRows()) {
            throw tooManyRows();
        }
        for (String bucket : buckets) {
            for (List<Object> rest : others) {
                List<Object> key = new ArrayList<>(rest);
                key.add(position, bucket);
                rows.computeIfAbsent(key, k -> zeros(query));
            }
        }
    }

    static List<String> buckets(Dimension time, LocalDate from, LocalDate to) {
        List<String> buckets = new ArrayList<>();
        switch (time) {
            case TIME_DAY -> from.datesUntil(to.plusDays(1)).forEach(d -> buckets.add(d.toString()));
            case TIME_WEEK -> {
                for (LocalDate d = from.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY)); !d.isAfter(to); d = d.plusWeeks(1)) {
                    buckets.add(d.toString());
                }
            }
            default -> {
                for (LocalDate d = from.withDayOfMonth(1); !d.isAfter(to); d = d.plusMonths(1)) {
                    buckets.add(d.toString().substring(0, 7));
                }
            }
        }
        return buckets;
    }

    /** Explicit order first; then time ascending, else the first metric descending; then dimensions, for stable pages. */
    private static Comparator<ResultRow> comparator(Query query) {
        List<Comparator<ResultRow>> parts = new ArrayList<>();
        for (Order order : query.orderBy()) {
            Comparator<ResultRow> c = Comparator.comparing(row -> value(query, row, order.field()), QueryService::compareValues);
            parts.add(order.descending() ? c.reversed() : c);
        }
        query.timeDimension().ifPresentOrElse(
                time -> parts.add(Comparator.comparing(row -> value(query, row, time.apiName()), QueryService::compareValues)),
                () -> parts.add(Comparator.<ResultRow, Object>comparing(row -> row.metrics().get(0), QueryService::compareValues).reversed()));
        for (Dimension d : query.dimensions()) {
            parts.add(Comparator.comparing(row -> value(query, row, d.apiName()), QueryService::compareValues));
        }
        return parts.stream().reduce(Comparator::thenComparing).orElseThrow();
    }

    private static Object value(Query query, ResultRow row, String field) {
        for (int i = 0; i < query.dimensions().size(); i++) {
            if (query.dimensions().get(i).apiName().equals(field)) {
                return row.dimensions().get(i);
            }
        }
        for (int i = 0; i < query.metrics().size(); i++) {
            if (query.metrics().get(i).apiName().equals(field)) {
                return row.metrics().get(i);
            }
        }
        throw new IllegalArgumentException("not a field of this query: " + field);
    }

    /** Nulls last; numbers by value whatever their Java type; the rest as text. */
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString()));
        }
        return a.toString().compareTo(b.toString());
    }
}
