package dev.pulse.query.service;

import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a {@link Query} into SQL over the raw store. Every identifier comes from the closed sets of
 * {@link Metric} and {@link Dimension}; every value the client sent travels as a bind parameter.
 */
@ApplicationScoped
public class QueryCompiler {

    /** SQL with its parameters; result columns are d0..dn (dimensions) then m0..mk (metrics). */
    public record Compiled(String sql, List<Object> params) {
    }

    /** Where the rows come from: every event, or one row per user, day and traits. */
    private enum Source {
        RAW("events", "e.event IN ('feed.view', 'feed.like')", "e.event = 'message.sent'"),
        ROLLUP("fact_user_daily", "e.views + e.likes > 0", "e.messages > 0");

        final String table;
        final String usedFeed;
        final String usedMessenger;

        Source(String table, String usedFeed, String usedMessenger) {
            this.table = table;
            this.usedFeed = usedFeed;
            this.usedMessenger = usedMessenger;
        }

        String sql(Metric metric) {
            return this == ROLLUP ? metric.rollupSql() : metric.sql();
        }
    }

    /**
     * The per-user daily rollup answers a query whose dimensions and filters are time and user traits only, and
     * whose metrics it holds; it has the same columns as the raw store for those, so the same SQL applies.
     */
    private static Source source(Query query, List<Metric> metrics) {
        boolean userOnly = query.dimensions().stream().allMatch(QueryCompiler::inRollup)
                && query.filters().stream().allMatch(f -> inRollup(f.dimension()));
        return userOnly && metrics.stream().allMatch(m -> m.rollupSql() != null) ? Source.ROLLUP : Source.RAW;
    }

    private static boolean inRollup(Dimension d) {
        return d.isTime() || d.apiName().startsWith("user:");
    }

    public Compiled aggregate(Query query, List<Metric> metrics) {
        List<Object> params = new ArrayList<>(List.of(query.app().appId(), query.from(), query.to()));
        List<Dimension> dims = query.dimensions();
        boolean newUsers = metrics.contains(Metric.NEW_USERS);
        boolean mix = metrics.stream().anyMatch(Metric::needsAppMix);
        Source source = source(query, metrics);
        StringBuilder inner = new StringBuilder("SELECT e.*");
        if (newUsers) {
            inner.append(", fs.first_date");
        }
        if (mix) {
            String partition = dims.stream().map(Dimension::sql).collect(Collectors.joining(", ", "", dims.isEmpty() ? "" : ", ")) + "e.user_id";
            inner.append(", bool_or(").append(source.usedFeed).append(") OVER (PARTITION BY ").append(partition).append(") AS uses_feed")
                    .append(", bool_or(").append(source.usedMessenger).append(") OVER (PARTITION BY ").append(partition).append(") AS uses_messenger");
        }
        inner.append(" FROM ").append(source.table).append(" e");
        if (newUsers) {
            inner.append(" LEFT JOIN user_first_seen fs ON fs.app_id = e.app_id AND fs.user_id = e.user_id");
        }
        inner.append(" WHERE e.app_id = $1 AND e.event_date BETWEEN $2 AND $3").append(filters(query.filters(), params));

        StringBuilder sql = new StringBuilder("SELECT ");
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            columns.add(dims.get(i).sql() + " AS d" + i);
        }
        for (int i = 0; i < metrics.size(); i++) {
            columns.add(source.sql(metrics.get(i)).replace("%NEW%", newUserCondition(query)) + " AS m" + i);
        }
        sql.append(String.join(", ", columns)).append(" FROM (").append(inner).append(") e");
        if (!dims.isEmpty()) {
            sql.append(" GROUP BY ").append(groupBy(dims.size(), 0));
        }
        return new Compiled(sql.toString(), params);
    }

    /**
     * wau and mau: distinct users over the 7 and 28 days ending on each day of the range (or on its last day
     * when the query has no time dimension). Columns: d0..dn as in {@link #aggregate}, then wau, mau.
     */
    public Compiled rolling(Query query) {
        boolean daily = query.timeDimension().isPresent();
        List<Object> params = new ArrayList<>(List.of(query.app().appId(), daily ? query.from() : query.to(), query.to()));
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < query.dimensions().size(); i++) {
            Dimension d = query.dimensions().get(i);
            columns.add((d == Dimension.TIME_DAY ? "d.day" : d.sql()) + " AS d" + i);
        }
        columns.add("count(DISTINCT e.user_id) FILTER (WHERE e.event_date > d.day - 7) AS wau");
        columns.add("count(DISTINCT e.user_id) AS mau");
        String sql = "SELECT " + String.join(", ", columns)
                + " FROM (SELECT g::date AS day FROM generate_series($2::date, $3::date, interval '1 day') AS g) d"
                + " JOIN " + source(query, List.of()).table + " e ON e.app_id = $1 AND e.event_date BETWEEN d.day - 27 AND d.day"
                + " WHERE true" + filters(query.filters(), params)
                + " GROUP BY d.day" + (query.dimensions().isEmpty() ? "" : ", " + groupBy(query.dimensions().size(), 0));
        return new Compiled(sql, params);
    }

    private static String groupBy(int count, int offset) {
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(String.valueOf(offset + i + 1));
        }
        return String.join(", ", positions);
    }

    /** The user's first event lies in the row's bucket (clipped to the range). */
    private static String newUserCondition(Query query) {
        return query.timeDimension().map(time -> switch (time) {
            case TIME_DAY -> "e.first_date = e.event_date";
            case TIME_WEEK -> "date_trunc('week', e.first_date) = date_trunc('week', e.event_date) AND e.first_date BETWEEN $2 AND $3";
            default -> "date_trunc('month', e.first_date) = date_trunc('month', e.event_date) AND e.first_date BETWEEN $2 AND $3";
        }).orElse("e.first_date BETWEEN $2 AND $3");
    }

    private static String filters(List<Filter> filters, List<Object> params) {
        StringBuilder sql = new StringBuilder();
        for (Filter filter : filters) {
            String expr = "(" + filter.dimension().sql() + ")::text";
            switch (filter.op()) {
                case "is" -> {
                    params.add(filter.values().toArray(String[]::new));
                    sql.append(" AND ").append(expr).append(" = ANY($").append(params.size()).append("::text[])");
                }
                case "is_not" -> {
                    params.add(filter.values().toArray(String[]::new));
                    sql.append(" AND (").append(expr).append(" IS NULL OR ").append(expr).append(" <> ALL($").append(params.size()).append("::text[]))");
                }
                default -> {
                    params.add(filter.values().stream().map(v -> "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                            .toArray(String[]::new));
                    sql.append(" AND ").append(expr).append(" ILIKE ANY($").append(params.size()).append("::text[])");
                }
            }
        }
        return sql.toString();
    }
}
