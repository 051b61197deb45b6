package dev.pulse.query.domain;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * SPEC §5 metrics as aggregates over raw-store rows (alias {@code e}). {@code %NEW%} stands for the condition
 * "this user's first ever event falls in the row's bucket", which depends on the time dimension. Ratios of
 * nothing are 0, like every metric of an empty bucket. The second expression answers the same from the per-user
 * daily rollup, where it can.
 */
public enum Metric {
    EVENTS("events", "count(*)",
            "coalesce(sum(e.events), 0)"),
    ACTIVE_USERS("active_users", "count(DISTINCT e.user_id)",
            "count(DISTINCT e.user_id)"),
    NEW_USERS("new_users", "count(DISTINCT e.user_id) FILTER (WHERE %NEW%)",
            "count(DISTINCT e.user_id) FILTER (WHERE %NEW%)"),
    WAU("wau", null, null),
    MAU("mau", null, null),
    VIEWS("views", "count(*) FILTER (WHERE e.event = 'feed.view')",
            "coalesce(sum(e.views), 0)"),
    LIKES("likes", "count(*) FILTER (WHERE e.event = 'feed.like')",
            "coalesce(sum(e.likes), 0)"),
    CTR("ctr", "coalesce(count(*) FILTER (WHERE e.event = 'feed.like')::float8"
            + " / NULLIF(count(*) FILTER (WHERE e.event = 'feed.view'), 0), 0)",
            "coalesce(sum(e.likes)::float8 / NULLIF(sum(e.views), 0), 0)"),
    POSTS("posts", "count(DISTINCT e.post_id)",
            null),
    FEED_USERS("feed_users", "count(DISTINCT e.user_id) FILTER (WHERE e.event IN ('feed.view', 'feed.like'))",
            "count(DISTINCT e.user_id) FILTER (WHERE e.views + e.likes > 0)"),
    MESSAGES("messages", "count(*) FILTER (WHERE e.event = 'message.sent')",
            "coalesce(sum(e.messages), 0)"),
    SENDERS("senders", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'message.sent')",
            "count(DISTINCT e.user_id) FILTER (WHERE e.messages > 0)"),
    RECEIVERS("receivers", "count(DISTINCT e.receiver_id) FILTER (WHERE e.event = 'message.sent')",
            null),
    CONNECTIONS("connections", "count(DISTINCT (e.user_id, e.receiver_id)) FILTER (WHERE e.event = 'message.sent')",
            null),
    FEED_ONLY_USERS("feed_only_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND NOT e.uses_messenger)",
            "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND NOT e.uses_messenger)"),
    MESSENGER_ONLY_USERS("messenger_only_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_messenger AND NOT e.uses_feed)",
            "count(DISTINCT e.user_id) FILTER (WHERE e.uses_messenger AND NOT e.uses_feed)"),
    BOTH_USERS("both_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND e.uses_messenger)",
            "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND e.uses_messenger)"),
    SIGNUPS("signups", "count(*) FILTER (WHERE e.event = 'signup')",
            "coalesce(sum(e.signups), 0)"),
    PURCHASES("purchases", "count(*) FILTER (WHERE e.event = 'purchase')",
            "coalesce(sum(e.purchases), 0)"),
    REVENUE("revenue", "coalesce(sum(e.revenue) FILTER (WHERE e.event = 'purchase'), 0)",
            "coalesce(sum(e.revenue), 0)"),
    PAGE_VIEWS("page_views", "count(*) FILTER (WHERE e.event = 'page_view')",
            "coalesce(sum(e.page_views), 0)"),
    PLAYS("plays", "count(*) FILTER (WHERE e.event = 'content.engagement' AND e.action = 'play')",
            "coalesce(sum(e.plays), 0)"),
    ENGAGEMENT_SECONDS("engagement_seconds", "coalesce(sum(e.engagement_seconds), 0)",
            "coalesce(sum(e.engagement_seconds), 0)"),
    AVG_ENGAGEMENT_PCT("avg_engagement_pct", "coalesce(round(avg(e.engagement_pct)::numeric, 4), 0)",
            "coalesce(round((sum(e.pct_sum) / NULLIF(sum(e.pct_count), 0))::numeric, 4), 0)");

    private static final Map<String, Metric> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(Metric::apiName, Function.identity()));

    private final String apiName;
    private final String sql;
    private final String rollupSql;

    Metric(String apiName, String sql, String rollupSql) {
        this.apiName = apiName;
        this.sql = sql;
        this.rollupSql = rollupSql;
    }

    public static Optional<Metric> of(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public String apiName() {
        return apiName;
    }

    /** The aggregate, or null for the rolling metrics (wau, mau), which need a query of their own. */
    public String sql() {
        return sql;
    }

    /** The same aggregate over fact_user_daily (alias {@code e}), or null where that rollup cannot answer it. */
    public String rollupSql() {
        return rollupSql;
    }

    public boolean isRolling() {
        return sql == null;
    }

    /** Whether the query must know, per user and group, which parts of the app the user used. */
    public boolean needsAppMix() {
        return this == FEED_ONLY_USERS || this == MESSENGER_ONLY_USERS || this == BOTH_USERS;
    }
}
