package dev.pulse.query.service;

import dev.pulse.query.domain.Filter;

import java.util.List;

/** SPEC §6 filters as SQL over a row of the raw store or the rollup (alias {@code e}), for queries and funnels alike. */
final class FilterSql {
    private FilterSql() {
    }

    /** " AND …" conditions for the filters, each value bound as a parameter appended to {@code params}. */
    public static String conditions(List<Filter> filters, List<Object> params) {
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
