package dev.pulse.query.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * SPEC §5 metrics as aggregates over raw-store rows (alias {@code e}); those of new users take the condition of
 * {@link NewUsers}, which depends on the time dimension. Ratios of
 * nothing are 0, like every metric of an empty bucket. Where the per-user daily rollup holds the data, the metric
 * is also defined over its {@link Partial}s, summed per group in {@link RollupTotals}.
 */
public enum Metric {
    EVENTS("events", "count(*)", Set.of(Partial.EVENTS), t -> t.count(Partial.EVENTS)),
    ACTIVE_USERS("active_users", "count(DISTINCT e.user_id)", Set.of(), RollupTotals::users),
    NEW_USERS("new_users", newUsers -> "count(DISTINCT e.user_id) FILTER (WHERE " + newUsers.firstIn("e.first_date") + ")",
            Set.of(Partial.NEW), RollupTotals::newUsers),
    WAU("wau"),
    MAU("mau"),
    VIEWS("views", "count(*) FILTER (WHERE e.event = 'feed.view')", Set.of(Partial.VIEWS), t -> t.count(Partial.VIEWS)),
    LIKES("likes", "count(*) FILTER (WHERE e.event = 'feed.like')", Set.of(Partial.LIKES), t -> t.count(Partial.LIKES)),
    CTR("ctr", "coalesce(count(*) FILTER (WHERE e.event = 'feed.like')::float8"
            + " / NULLIF(count(*) FILTER (WHERE e.event = 'feed.view'), 0), 0)",
            Set.of(Partial.LIKES, Partial.VIEWS),
            t -> t.count(Partial.VIEWS) == 0 ? 0.0 : (double) t.count(Partial.LIKES) / t.count(Partial.VIEWS)),
    POSTS("posts", "count(DISTINCT e.post_id)", null, null),
    VIEWERS("viewers", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'feed.view')", Set.of(Partial.VIEWS), RollupTotals::viewers),
    LIKERS("likers", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'feed.like')", Set.of(Partial.LIKES), RollupTotals::likers),
    // 002's fact_daily_posts figure, per group, user, day and post of the events that pass the filters: from the first
    // view to the first like when the like is not earlier; the column is on that like's row (QueryCompiler#viewToLike)
    AVG_VIEW_TO_LIKE_SECONDS("avg_view_to_like_seconds", "coalesce(round(avg(e.view_to_like) FILTER (WHERE e.view_to_like >= 0)::numeric, 4), 0)",
            null, null),
    FEED_USERS("feed_users", "count(DISTINCT e.user_id) FILTER (WHERE e.event IN ('feed.view', 'feed.like'))",
            Set.of(Partial.VIEWS, Partial.LIKES), RollupTotals::feedUsers),
    MESSAGES("messages", "count(*) FILTER (WHERE e.event = 'message.sent')", Set.of(Partial.MESSAGES), t -> t.count(Partial.MESSAGES)),
    SENDERS("senders", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'message.sent')", Set.of(Partial.MESSAGES),
            RollupTotals::senders),
    RECEIVERS("receivers", "count(DISTINCT e.receiver_id) FILTER (WHERE e.event = 'message.sent')", null, null),
    CONNECTIONS("connections", "count(DISTINCT (e.user_id, e.receiver_id)) FILTER (WHERE e.event = 'message.sent')", null, null),
    FEED_ONLY_USERS("feed_only_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND NOT e.uses_messenger)",
            Set.of(Partial.VIEWS, Partial.LIKES, Partial.MESSAGES), RollupTotals::feedOnlyUsers),
    MESSENGER_ONLY_USERS("messenger_only_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_messenger AND NOT e.uses_feed)",
            Set.of(Partial.VIEWS, Partial.LIKES, Partial.MESSAGES), RollupTotals::messengerOnlyUsers),
    BOTH_USERS("both_users", "count(DISTINCT e.user_id) FILTER (WHERE e.uses_feed AND e.uses_messenger)",
            Set.of(Partial.VIEWS, Partial.LIKES, Partial.MESSAGES), RollupTotals::bothUsers),
    SIGNUPS("signups", "count(*) FILTER (WHERE e.event = 'signup')", Set.of(Partial.SIGNUPS), t -> t.count(Partial.SIGNUPS)),
    PURCHASES("purchases", "count(*) FILTER (WHERE e.event = 'purchase')", Set.of(Partial.PURCHASES), t -> t.count(Partial.PURCHASES)),
    REVENUE("revenue", "coalesce(sum(e.revenue) FILTER (WHERE e.event = 'purchase'), 0)", Set.of(Partial.REVENUE),
            t -> t.decimal(Partial.REVENUE)),
    AVG_ORDER_VALUE("avg_order_value", "coalesce(round(sum(e.revenue) FILTER (WHERE e.event = 'purchase')"
            + " / NULLIF(count(*) FILTER (WHERE e.event = 'purchase'), 0), 4), 0)", Set.of(Partial.REVENUE, Partial.PURCHASES),
            t -> ratio(t.decimal(Partial.REVENUE), t.count(Partial.PURCHASES))),
    PAYING_USERS("paying_users", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'purchase')", Set.of(Partial.PURCHASES),
            RollupTotals::payingUsers),
    PAGE_VIEWS("page_views", "count(*) FILTER (WHERE e.event = 'page_view')", Set.of(Partial.PAGE_VIEWS), t -> t.count(Partial.PAGE_VIEWS)),
    PLAYS("plays", "count(*) FILTER (WHERE e.event = 'content.engagement' AND e.action = 'play')", Set.of(Partial.PLAYS),
            t -> t.count(Partial.PLAYS)),
    ENGAGEMENT_SECONDS("engagement_seconds", "coalesce(sum(e.engagement_seconds), 0)", Set.of(Partial.ENGAGEMENT_SECONDS),
            t -> t.real(Partial.ENGAGEMENT_SECONDS)),
    AVG_ENGAGEMENT_PCT("avg_engagement_pct", "coalesce(round(avg(e.engagement_pct)::numeric, 4), 0)",
            Set.of(Partial.PCT_SUM, Partial.PCT_COUNT), t -> t.count(Partial.PCT_COUNT) == 0 ? BigDecimal.ZERO
                    : roundAsPostgres(t.real(Partial.PCT_SUM) / t.count(Partial.PCT_COUNT))),
    // sessions over the columns Sources.sessionized adds: a session counts in the bucket (and groups) of its first
    // event; the rollup keeps them on the row of that event's traits (V26), rounded as round(numeric, 4) does
    SESSIONS("sessions", "count(*) FILTER (WHERE e.s_start)", Set.of(Partial.SESSIONS), t -> t.count(Partial.SESSIONS)),
    SESSIONS_PER_USER("sessions_per_user", "coalesce(round(count(*) FILTER (WHERE e.s_start)::numeric"
            + " / NULLIF(count(DISTINCT e.user_id) FILTER (WHERE e.s_start), 0), 4), 0)", Set.of(Partial.SESSIONS),
            t -> ratio(BigDecimal.valueOf(t.count(Partial.SESSIONS)), t.sessionUsers())),
    AVG_SESSION_SECONDS("avg_session_seconds", "coalesce(round(avg(e.s_seconds) FILTER (WHERE e.s_start), 4), 0)",
            Set.of(Partial.SESSIONS, Partial.SESSION_SECONDS), t -> ratio(t.decimal(Partial.SESSION_SECONDS), t.count(Partial.SESSIONS))),
    BOUNCE_RATE("bounce_rate", "coalesce(round(count(*) FILTER (WHERE e.s_start AND e.s_events = 1)::numeric"
            + " / NULLIF(count(*) FILTER (WHERE e.s_start), 0), 4), 0)", Set.of(Partial.SESSIONS, Partial.BOUNCES),
            t -> ratio(BigDecimal.valueOf(t.count(Partial.BOUNCES)), t.count(Partial.SESSIONS))),
    // 002's day-7 figures: a user's first day, overall or within feed (view or like) or messenger (a message sent)
    NEW_FEED_USERS("new_feed_users", newUsers -> "count(DISTINCT e.user_id) FILTER (WHERE e.event IN ('feed.view', 'feed.like') AND "
            + newUsers.firstIn("e.first_feed_date") + ")", null, null),
    NEW_MESSENGER_USERS("new_messenger_users", newUsers -> "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'message.sent' AND "
            + newUsers.firstIn("e.first_messenger_date") + ")", null, null),
    USERS_LIFETIME_7D("users_lifetime_7d", "count(DISTINCT e.user_id) FILTER (WHERE e.first_date = e.event_date - 7)", null, null),
    FEED_USERS_LIFETIME_7D("feed_users_lifetime_7d", "count(DISTINCT e.user_id) FILTER (WHERE e.event IN ('feed.view', 'feed.like')"
            + " AND e.first_feed_date = e.event_date - 7)", null, null),
    MESSENGER_USERS_LIFETIME_7D("messenger_users_lifetime_7d", "count(DISTINCT e.user_id) FILTER (WHERE e.event = 'message.sent'"
            + " AND e.first_messenger_date = e.event_date - 7)", null, null),
    // both sides of each message (Sources.messengerSides): a row per message and side, the user its sender or its
    // receiver, with that user's traits; sent_gap is on one row per sender and day only
    MESSENGER_USERS("messenger_users", "count(DISTINCT e.user_id)", null, null),
    RECEIVE_ONLY_USERS("receive_only_users", "count(DISTINCT e.user_id) FILTER (WHERE NOT e.any_sent)", null, null),
    AVG_TIME_BETWEEN_MESSAGES_SENT("avg_time_between_messages_sent", "coalesce(round(avg(e.sent_gap)::numeric, 4), 0)", null, null),
    // the new users of the bucket 7 days earlier, in this bucket: answered by the same question over the range moved back
    NEW_USERS_7_DAYS_AGO("new_users_7_days_ago"),
    FEED_NEW_USERS_7_DAYS_AGO("feed_new_users_7_days_ago"),
    MESSENGER_NEW_USERS_7_DAYS_AGO("messenger_new_users_7_days_ago");

    private static final Map<String, Metric> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(Metric::apiName, Function.identity()));

    private final String apiName;
    private final Function<NewUsers, String> sql;
    private final Set<Partial> partials;
    private final Function<RollupTotals, Object> fromRollup;

    /** A metric that needs a query of its own. */
    Metric(String apiName) {
        this(apiName, (Function<NewUsers, String>) null, null, null);
    }

    Metric(String apiName, String sql, Set<Partial> partials, Function<RollupTotals, Object> fromRollup) {
        this(apiName, newUsers -> sql, partials, fromRollup);
    }

    Metric(String apiName, Function<NewUsers, String> sql, Set<Partial> partials, Function<RollupTotals, Object> fromRollup) {
        this.apiName = apiName;
        this.sql = sql;
        this.partials = partials;
        this.fromRollup = fromRollup;
    }

    /** {@code sum / count} rounded half up to 4 places, as round(numeric, 4) does in the raw-store form; 0 of nothing. */
    private static BigDecimal ratio(BigDecimal sum, long count) {
        return count == 0 ? BigDecimal.ZERO : sum.divide(BigDecimal.valueOf(count), 4, RoundingMode.HALF_UP);
    }

    /** float8 to numeric keeps 15 significant digits in PostgreSQL; then round(…, 4), as the raw-store form does. */
    private static BigDecimal roundAsPostgres(double value) {
        return new BigDecimal(value).round(new MathContext(15)).setScale(4, RoundingMode.HALF_UP);
    }

    public static Optional<Metric> of(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public String apiName() {
        return apiName;
    }

    /** Whether the metric reads the user's first days, which a source must join in. */
    public boolean needsFirstSeen() {
        return switch (this) {
            case NEW_USERS, NEW_FEED_USERS, NEW_MESSENGER_USERS, USERS_LIFETIME_7D, FEED_USERS_LIFETIME_7D, MESSENGER_USERS_LIFETIME_7D -> true;
            default -> false;
        };
    }

    /** For a metric of the bucket 7 days earlier, the metric it moves forward; else empty. */
    public Optional<Metric> sevenDaysEarlier() {
        return Optional.ofNullable(switch (this) {
            case NEW_USERS_7_DAYS_AGO -> NEW_USERS;
            case FEED_NEW_USERS_7_DAYS_AGO -> NEW_FEED_USERS;
            case MESSENGER_NEW_USERS_7_DAYS_AGO -> NEW_MESSENGER_USERS;
            default -> null;
        });
    }

    /** Whether the metric counts the senders and receivers of messages ({@code Sources.messengerSides}), a query of its own. */
    public boolean readsMessengerSides() {
        return this == MESSENGER_USERS || this == RECEIVE_ONLY_USERS || this == AVG_TIME_BETWEEN_MESSAGES_SENT;
    }

    /** Whether the metric reads the session columns of {@code Sources.sessionized}. */
    public boolean needsSessions() {
        return this == SESSIONS || this == SESSIONS_PER_USER || this == AVG_SESSION_SECONDS || this == BOUNCE_RATE;
    }

    /**
     * The aggregate, new users being those {@code newUsers} says; null for the rolling metrics (wau, mau) and those
     * moved 7 days, which need a query of their own.
     */
    public String sql(NewUsers newUsers) {
        return sql == null ? null : sql.apply(newUsers);
    }

    /** Whether the per-user daily rollup holds what this metric needs. */
    public boolean inRollup() {
        return partials != null;
    }

    /** The partials this metric is computed from, when answered from the rollup. */
    public Set<Partial> partials() {
        return partials;
    }

    /** Whether the metric counts users: the rollup is then read per group and user, else per group only. */
    public boolean countsUsers() {
        return switch (this) {
            case ACTIVE_USERS, NEW_USERS, FEED_USERS, VIEWERS, LIKERS, SENDERS, FEED_ONLY_USERS, MESSENGER_ONLY_USERS, BOTH_USERS,
                 PAYING_USERS, SESSIONS_PER_USER -> true;
            default -> false;
        };
    }

    /** The metric of one group, from its users' partials. */
    public Object fromRollup(RollupTotals totals) {
        return fromRollup.apply(totals);
    }

    public boolean isRolling() {
        return this == WAU || this == MAU;
    }

    /** Whether the metric reads the seconds from a user's first view of a post to their first like of it that day (a query of its own). */
    public boolean needsViewToLike() {
        return this == AVG_VIEW_TO_LIKE_SECONDS;
    }

    /**
     * Whether the metric is a distinct count of what the event rollup keeps per user-day (the events' kind, dimensions,
     * post ids and receivers, and the user's first days): over its rows it is the raw store's figure, since a distinct
     * count does not depend on how many events a row stands for.
     */
    public boolean distinctInEventRollup() {
        return switch (this) {
            case POSTS, RECEIVERS, CONNECTIONS, NEW_FEED_USERS, NEW_MESSENGER_USERS, USERS_LIFETIME_7D, FEED_USERS_LIFETIME_7D, MESSENGER_USERS_LIFETIME_7D -> true;
            default -> false;
        };
    }

    /**
     * Of the {@link #distinctInEventRollup} metrics, those whose figure for a day depends on that day's rows alone (not on
     * users' first days, which a late event for another day moves): a day's may be kept under that day's version.
     */
    public boolean ofItsDayAlone() {
        return this == POSTS || this == RECEIVERS || this == CONNECTIONS;
    }

    /** Whether the query must know, per user and group, which parts of the app the user used. */
    public boolean needsAppMix() {
        return this == FEED_ONLY_USERS || this == MESSENGER_ONLY_USERS || this == BOTH_USERS;
    }
}
