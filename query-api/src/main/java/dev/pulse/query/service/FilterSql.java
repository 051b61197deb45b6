package dev.pulse.query.service;

import dev.pulse.query.domain.Filter;

import java.util.List;
import java.util.function.Function;

/** SPEC §6 filters as SQL over a row of the raw store or the rollup (alias {@code e}), for queries and funnels alike. */
final class FilterSql {
    private FilterSql() {
    }

    /** " AND …" conditions for the filters, each value bound in {@code binds}. */
    static String conditions(List<Filter> filters, Binds binds) {
        return conditions(filters, binds, filter -> "(" + filter.dimension().sql() + ")::text");
    }

    /** The same conditions over each filter's value as {@code text} gives its expression. */
    static String conditions(List<Filter> filters, Binds binds, Function<Filter, String> text) {
        StringBuilder sql = new StringBuilder();
        for (Filter filter : filters) {
            String expr = text.apply(filter);
            switch (filter.op()) {
                case "is" -> sql.append(" AND ").append(expr).append(" = ANY(").append(binds.bind(filter.values().toArray(String[]::new)))
                        .append("::text[])");
                case "is_not" -> sql.append(" AND (").append(expr).append(" IS NULL OR ").append(expr).append(" <> ALL(")
                        .append(binds.bind(filter.values().toArray(String[]::new))).append("::text[]))");
                default -> sql.append(" AND ").append(expr).append(" ILIKE ANY(").append(binds.bind(filter.values().stream()
                        .map(v -> "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%").toArray(String[]::new)))
                        .append("::text[])");
            }
        }
        return sql.toString();
    }
}
