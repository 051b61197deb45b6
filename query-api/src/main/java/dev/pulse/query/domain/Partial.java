package dev.pulse.query.domain;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * What the per-user daily rollup sums up for one user and group over some days (alias {@code e}). Partials of
 * the same user and group over disjoint days merge by adding (and OR for the flag), which is what lets an answer
 * over many days be the cached sum of the days that are over plus today's. New users as in {@link Metric}.
 */
public enum Partial {
    EVENTS("sum(e.events)"),
    VIEWS("sum(e.views)"),
    LIKES("sum(e.likes)"),
    MESSAGES("sum(e.messages)"),
    SIGNUPS("sum(e.signups)"),
    PURCHASES("sum(e.purchases)"),
    REVENUE("sum(e.revenue)"),
    PAGE_VIEWS("sum(e.page_views)"),
    PLAYS("sum(e.plays)"),
    ENGAGEMENT_SECONDS("sum(e.engagement_seconds)"),
    PCT_SUM("sum(e.pct_sum)"),
    PCT_COUNT("sum(e.pct_count)"),
    SESSIONS("sum(e.sessions)"),
    SESSION_SECONDS("sum(e.session_seconds)"),
    BOUNCES("sum(e.bounces)"),
    NEW(newUsers -> "bool_or(" + newUsers.firstIn("e.first_date") + ")");

    private final Function<NewUsers, String> sql;

    Partial(String sql) {
        this(newUsers -> sql);
    }

    Partial(Function<NewUsers, String> sql) {
        this.sql = sql;
    }

    /** Its sum's column in the day state (V33 day_values); none for the flag, which the state keeps as first users. */
    public java.util.Optional<String> stateColumn() {
        return this == NEW ? java.util.Optional.empty() : java.util.Optional.of(name().toLowerCase(java.util.Locale.ROOT));
    }

    public String sql(NewUsers newUsers) {
        return sql.apply(newUsers);
    }

    /** The sum over a group's users of this partial of each ({@code column}), of the same SQL type as the partial. */
    public String total(String column) {
        return switch (this) {
            case REVENUE, ENGAGEMENT_SECONDS, PCT_SUM, SESSION_SECONDS -> "sum(" + column + ")";
            case NEW -> "bool_or(" + column + ")";
            // sums of int columns are bigint, and a sum of those would be numeric
            default -> "sum(" + column + ")::bigint";
        };
    }

    /** Two partials of the same kind (bigint, numeric, float8 sums; the flag), either of them possibly absent. */
    public static Object merge(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return switch (a) {
            case Long x -> x + (Long) b;
            case Double x -> x + (Double) b;
            case BigDecimal x -> x.add((BigDecimal) b);
            case Boolean x -> x || (Boolean) b;
            default -> throw new IllegalArgumentException("not a partial: " + a.getClass());
        };
    }
}
