package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.NewUsers;
import dev.pulse.query.domain.GroupUsers;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.schema.DayStateDimension;
import dev.pulse.schema.UserOrdinals;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import org.roaringbitmap.RoaringBitmap;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a {@link Query} into SQL over the raw store or a per-user daily rollup. Every identifier comes from the
 * closed sets of {@link Metric} and {@link Dimension}; every value the client sent travels as a bind parameter.
 */
@ApplicationScoped
public class QueryCompiler {

    /** SQL with its parameters; result columns are d0..dn (dimensions) then m0..mk (metrics). */
    public record Compiled(String sql, List<Object> params) {
    }

    /**
     * The per-user daily rollup that holds a query's dimensions and filters: fact_user_daily for time and user traits
     * only, fact_user_event_daily when event-side dimensions (post and content ids among them, V37) are among them too:
     * every dimension is one of these. Both have the raw store's columns for those, so the same expressions apply.
     */
    public String rollupTable(Query query) {
        return Stream.concat(query.dimensions().stream(), query.filters().stream().map(Filter::dimension)).allMatch(QueryCompiler::userOrTime)
                ? "fact_user_daily" : "fact_user_event_daily";
    }

    /**
     * Whether a rollup answers the query: one holds its dimensions and filters and the metrics' partials. Sessions are
     * kept on fact_user_daily only, and read from it while they are of the app's timeout.
     */
    public boolean readsRollup(Query query, List<Metric> metrics) {
        return metrics.stream().allMatch(Metric::inRollup)
                && (metrics.stream().noneMatch(Metric::needsSessions) || rollupTable(query).equals("fact_user_daily") && query.app().sessionsKept());
    }

    private static boolean userOrTime(Dimension d) {
        return d.isTime() || d.apiName().startsWith("user:");
    }

    /** The metrics over every event. */
    public Compiled aggregate(Query query, List<Metric> metrics) {
        return aggregate(query, metrics, "events", "", null);
    }

    /** The metrics of {@link Metric#distinctInEventRollup}, over the event rollup's rows as {@link #aggregate} over the events. */
    public Compiled distinctInEventRollup(Query query, List<Metric> metrics) {
        return distinctInEventRollup(query, metrics, null);
    }

    /** As {@link #distinctInEventRollup(Query, List)} over {@code days} of the query's range only (all of it when null). */
    public Compiled distinctInEventRollup(Query query, List<Metric> metrics, List<LocalDate> days) {
        if (!metrics.stream().allMatch(Metric::distinctInEventRollup)) {
            throw new IllegalArgumentException("not distinct counts of the event rollup: " + metrics);
        }
        return aggregate(query, metrics, "fact_user_event_daily", "", days);
    }

    /**
     * Whether the daily facts answer {@code metric} for the query: posts, receivers and connections of a question without
     * filters whose groups are time buckets only. fact_daily_posts holds a row per day and post, fact_user_connections
     * per day, sender and receiver: a month's daily series reads 160k of their rows where the event rollup's was 850k
     * rows sorted (bench/RESULTS.md, session 26). Their rows carry no traits or event sides, so any other question reads
     * the event rollup.
     */
    public boolean inDailyFacts(Query query, Metric metric) {
        return metric.ofItsDayAlone() && query.filters().isEmpty() && query.dimensions().stream().allMatch(Dimension::isTime);
    }

    /**
     * Metrics of {@link #inDailyFacts} over the query's range, {@code days} of it only when not null: an arm per metric,
     * summed per group. Only days the event rollup has rows of count: fact_daily_posts keeps days whose user rows
     * retention deleted, and the answer is the event rollup's.
     */
    public Compiled dailyFacts(Query query, List<Metric> metrics, List<LocalDate> days) {
        if (metrics.isEmpty() || !metrics.stream().allMatch(m -> inDailyFacts(query, m))) {
            throw new IllegalArgumentException("not answered by the daily facts: " + metrics + " by " + query.dimensions());
        }
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        Range range = new Range(binds.bind(query.from()), binds.bind(query.to()));
        String where = " WHERE e.app_id = " + app + " AND e.event_date BETWEEN " + range.from() + " AND " + range.to()
                + (days == null ? "" : " AND e.event_date = ANY(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[])")
                + " AND e.event_date IN (SELECT " + range.from() + "::date + i FROM generate_series(0, " + range.to() + "::date - " + range.from()
                + "::date) AS i WHERE EXISTS (SELECT 1 FROM fact_user_event_daily r WHERE r.app_id = " + app + " AND r.event_date = " + range.from()
                + "::date + i))";
        List<Dimension> dims = query.dimensions();
        String grouped = dims.isEmpty() ? "" : " GROUP BY " + groupBy(dims.size(), 0);
        List<String> arms = new ArrayList<>();
        for (Metric metric : metrics) {
            String count = switch (metric) {
                case POSTS -> "count(DISTINCT e.post_id)";
                case RECEIVERS -> "count(DISTINCT e.receiver_id)";
                // a group within one day holds each of its pairs once (the table's key); a wider one counts them once
                default -> "count(*)";
            };
            List<String> metricColumns = new ArrayList<>();
            for (Metric other : metrics) {
                metricColumns.add((other == metric ? count : "0::bigint") + " AS m" + metrics.indexOf(other));
            }
            if (metric == Metric.CONNECTIONS && !dims.contains(Dimension.TIME_DAY)) {
                List<String> pairs = dimensionColumns(dims);
                pairs.addAll(List.of("e.sender_id", "e.receiver_id"));
                List<String> columns = new ArrayList<>();
                for (int i = 0; i < dims.size(); i++) {
                    columns.add("e.d" + i);
                }
                columns.addAll(metricColumns);
                arms.add("SELECT " + String.join(", ", columns) + " FROM (SELECT DISTINCT " + String.join(", ", pairs)
                        + " FROM fact_user_connections e" + where + ") e" + grouped);
            } else {
                List<String> columns = dimensionColumns(dims);
                columns.addAll(metricColumns);
                arms.add("SELECT " + String.join(", ", columns) + " FROM " + (metric == Metric.POSTS ? "fact_daily_posts" : "fact_user_connections")
                        + " e" + where + grouped);
            }
        }
        List<String> outer = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            outer.add("u.d" + i);
        }
        for (int i = 0; i < metrics.size(); i++) {
            outer.add("sum(u.m" + i + ")::bigint AS m" + i);
        }
        return new Compiled("SELECT " + String.join(", ", outer) + " FROM (" + String.join(" UNION ALL ", arms) + ") u" + grouped, binds.values());
    }

    /**
     * The view-to-like metrics, a query of their own over the range's feed events only (its windows would otherwise
     * sort every event, and move the query's other metrics off the rollups): per group, user, day and post, the
     * first like minus the first view, on that like's row.
     */
    public Compiled viewToLike(Query query, List<Metric> metrics) {
        return aggregate(query, metrics, "events", " AND e.event IN ('feed.view', 'feed.like')", null);
    }

    private Compiled aggregate(Query query, List<Metric> metrics, String table, String events, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        Range range = new Range(binds.bind(query.from()), binds.bind(query.to()));
        List<Dimension> dims = query.dimensions();
        boolean firstSeen = metrics.stream().anyMatch(Metric::needsFirstSeen) || Sources.needsFirstSeen(dims, query.filters());
        boolean mix = metrics.stream().anyMatch(Metric::needsAppMix);
        String source = metrics.stream().anyMatch(Metric::needsSessions)
                ? Sources.sessionized(firstSeen, app, range.from(), range.to(), binds.bind(query.app().sessionTimeoutSeconds()))
                : Sources.of(table, firstSeen);
        StringBuilder inner = new StringBuilder("SELECT e.*");
        if (mix) {
            String partition = groupAndUser(dims);
            inner.append(", bool_or(e.event IN ('feed.view', 'feed.like')) OVER (PARTITION BY ").append(partition).append(") AS uses_feed")
                    .append(", bool_or(e.event = 'message.sent') OVER (PARTITION BY ").append(partition).append(") AS uses_messenger");
        }
        if (metrics.stream().anyMatch(Metric::needsViewToLike)) {
            String post = "PARTITION BY " + groupAndUser(dims) + ", e.event_date, e.post_id";
            inner.append(", CASE WHEN e.event = 'feed.like' AND row_number() OVER (").append(post).append(", e.event ORDER BY e.event_ts, e.event_id) = 1")
                    .append(" THEN extract(epoch FROM e.event_ts - min(e.event_ts) FILTER (WHERE e.event = 'feed.view') OVER (").append(post)
                    .append(")) END AS view_to_like");
        }
        inner.append(" FROM ").append(source).append(" e");
        inner.append(" WHERE e.app_id = ").append(app).append(" AND e.event_date BETWEEN ").append(range.from()).append(" AND ")
                .append(range.to()).append(events).append(FilterSql.conditions(query.filters(), binds));
        if (days != null) {
            inner.append(" AND e.event_date = ANY(").append(binds.bind(days.toArray(LocalDate[]::new))).append("::date[])");
        }
        return new Compiled(metricsPerGroup(query, metrics, range, inner.toString()), binds.values());
    }

    /**
     * The metrics over both sides of messages ({@link Sources#messengerSides}); dimensions and filters are time and
     * user traits only (the parser's rule). Per group and user: whether they sent any message ({@code any_sent}); per
     * group, user and day, on the first of their sent rows, the mean time between their sent messages
     * ({@code sent_gap}, as {@code fact_daily_messenger.avg_time_between_sent} keeps it).
     */
    public Compiled messengerSides(Query query, List<Metric> metrics) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        Range range = new Range(binds.bind(query.from()), binds.bind(query.to()));
        List<Dimension> dims = query.dimensions();
        String user = groupAndUser(dims);
        String senderDay = "PARTITION BY " + user + ", e.event_date, e.sent";
        String inner = "SELECT e.*, bool_or(e.sent) OVER (PARTITION BY " + user + ") AS any_sent,"
                + " CASE WHEN e.sent AND row_number() OVER (" + senderDay + " ORDER BY e.event_ts, e.event_id) = 1"
                + " THEN mean_gap_seconds(min(e.event_ts) OVER (" + senderDay + "), max(e.event_ts) OVER (" + senderDay + "),"
                + " count(*) OVER (" + senderDay + ")) END AS sent_gap"
                + " FROM " + Sources.messengerSides(Sources.needsFirstSeen(dims, query.filters()), app, range.from(), range.to()) + " e"
                + " WHERE true" + FilterSql.conditions(query.filters(), binds);
        return new Compiled(metricsPerGroup(query, metrics, range, inner), binds.values());
    }

    /** The metrics per group (columns d0..dn, m0..mk) over the rows of {@code inner}, as {@code e}. */
    private static String metricsPerGroup(Query query, List<Metric> metrics, Range range, String inner) {
        List<Dimension> dims = query.dimensions();
        List<String> columns = dimensionColumns(dims);
        NewUsers newUsers = newUsers(query, () -> range);
        for (int i = 0; i < metrics.size(); i++) {
            columns.add(metrics.get(i).sql(newUsers) + " AS m" + i);
        }
        return "SELECT " + String.join(", ", columns) + " FROM (" + inner + ") e"
                + (dims.isEmpty() ? "" : " GROUP BY " + groupBy(dims.size(), 0));
    }

    /** The dimensions' expressions and the user: a window over one user's rows of one group. */
    private static String groupAndUser(List<Dimension> dims) {
        return dims.stream().map(Dimension::sql).collect(Collectors.joining(", ", "", dims.isEmpty() ? "" : ", ")) + "e.user_id";
    }

    /**
     * Per group and user (or per group only, the user null, when no metric counts users), the partials of the rollup
     * rows of days {@code from..to} (a part of the query's range). Columns: d0..dn, user_id, then the partials in
     * the order given.
     */
    public Compiled partials(Query query, List<Partial> partials, boolean perUser, LocalDate from, LocalDate to) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        String days = "e.event_date BETWEEN " + binds.bind(from) + " AND " + binds.bind(to);
        return new Compiled(partials(query, partials, perUser, false, binds, app, days), binds.values());
    }

    /**
     * As {@link #partials} per group and user, over the rollup rows of {@code days} only, then the app's id, and the
     * user's ordinal (V33 user_ordinals; null while aggregate has given none) as the last column: what the day state
     * does not hold.
     */
    public Compiled partialsWithOrdinals(Query query, List<Partial> partials, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        String inner = partials(query, partials, true, true, binds, app, "e.event_date = ANY(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[])");
        // correlated on the rows' app_id (grouped by, so the statement stays within one app's shard on Citus)
        return new Compiled("SELECT p.*, " + UserOrdinals.of("p.app_id", "p.u") + " AS ordinal FROM (" + inner + ") p", binds.values());
    }

    /**
     * The rollup rows of {@code days} (days not over yet) per group, for the day state's merge: a row per group of its
     * numbered users (u null; the partials' totals over them; then, per kind of {@code kinds}, the ordinals in order of its users
     * whose partial is positive, all of them for USERS, as an array; last the new ones' when {@code partials} has NEW),
     * then a row per user without an ordinal yet (u their id, their partials, null arrays). PostgreSQL folds the users:
     * a row per user and group moved to query-api and folded there was the cost of a warm answer (JFR, bench/RESULTS.md).
     */
    public Compiled groupsWithOrdinals(Query query, List<Partial> partials, List<GroupUsers.Kind> kinds, List<LocalDate> days) {
        Compiled perUser = partialsWithOrdinals(query, partials, days);
        int dims = query.dimensions().size();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < dims; i++) {
            keys.add("p.d" + i);
        }
        List<String> grouped = new ArrayList<>(keys);
        List<String> single = new ArrayList<>(keys);
        grouped.add("NULL::text");
        single.add("p.u");
        for (int i = 0; i < partials.size(); i++) {
            grouped.add(partials.get(i).total("p.p" + i));
            single.add("p.p" + i);
        }
        for (GroupUsers.Kind kind : kinds) {
            grouped.add("array_agg(p.ordinal ORDER BY p.ordinal)" + (kind.positive() == null ? "" : " FILTER (WHERE p.p" + partials.indexOf(kind.positive()) + " > 0)"));
            single.add("NULL::int[]");
        }
        if (partials.contains(Partial.NEW)) {
            grouped.add("array_agg(p.ordinal ORDER BY p.ordinal) FILTER (WHERE p.p" + partials.indexOf(Partial.NEW) + ")");
            single.add("NULL::int[]");
        }
        String sql = "WITH p AS MATERIALIZED (" + perUser.sql() + ")"
                + " SELECT " + String.join(", ", grouped) + " FROM p WHERE p.ordinal IS NOT NULL"
                + (dims == 0 ? " HAVING count(*) > 0" : " GROUP BY " + String.join(", ", keys))
                + " UNION ALL SELECT " + String.join(", ", single) + " FROM p WHERE p.ordinal IS NULL";
        return new Compiled(sql, perUser.params());
    }

    /* withApp (per user only, so there are groups to add it to): the app's id last, for a statement around it to correlate on */
    private String partials(Query query, List<Partial> partials, boolean perUser, boolean withApp, Binds binds, String app, String days) {
        String where = " WHERE e.app_id = " + app + " AND " + days;
        // the query's range, to clip new users to, is bound where a condition reads it: PostgreSQL refuses parameters
        // a statement does not use, and a daily bucket needs no clipping
        Range[] clip = new Range[1];
        NewUsers newUsers = newUsers(query, () -> {
            if (clip[0] == null) {
                clip[0] = new Range(binds.bind(query.from()), binds.bind(query.to()));
            }
            return clip[0];
        });
        List<Dimension> dims = query.dimensions();
        List<String> columns = dimensionColumns(dims);
        columns.add((perUser ? "e.user_id" : "NULL::text") + " AS u");
        for (int i = 0; i < partials.size(); i++) {
            columns.add(partials.get(i).sql(newUsers) + " AS p" + i);
        }
        String groups = perUser || !dims.isEmpty() ? groupBy(dims.size() + (perUser ? 1 : 0), 0) : "";
        if (withApp) {
            columns.add("e.app_id");
            groups += ", e.app_id";
        }
        return "SELECT " + String.join(", ", columns)
                + " FROM " + Sources.of(rollupTable(query),
                        partials.contains(Partial.NEW) || Sources.needsFirstSeen(dims, query.filters())) + " e"
                + where + FilterSql.conditions(query.filters(), binds)
                + (groups.isEmpty() ? "" : " GROUP BY " + groups);
    }

    /**
     * The day state (V33) of the app's {@code days} that holds {@code dimension}'s values under the versions they have now: a row per
     * such day ({@code day_row} true: its first users' bitmap when {@code firstUsers}), then a row per day and value of
     * {@code dimension} the query's filters (all on that dimension) keep. Columns: event_date, day_row, first_users,
     * value, then {@code bitmaps} and {@code sums} (day_values columns) in the order given.
     */
    public Compiled dayState(Query query, String dimension, List<String> bitmaps, List<String> sums, boolean firstUsers, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        String states = "SELECT s.app_id, s.event_date, " + (firstUsers ? "s.first_users" : "NULL::bytea") + " AS first_users FROM day_state s WHERE s.app_id = "
                + app + " AND s.event_date = ANY(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[]) AND s.held"
                + " AND NOT " + binds.bind(dimension) + " = ANY(s.unheld)"
                + " AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = " + app + "), 0)"
                + " AND s.day_version = coalesce((SELECT c.version FROM closed_day_changes c WHERE c.app_id = " + app
                + " AND c.event_date = s.event_date), 0)";
        return new Compiled(state(query, dimension, bitmaps, sums, binds, states, "day_values"), binds.values());
    }

    /**
     * {@code rows} made-up rows shaped as {@link #dayState}'s for {@code users} and {@code events}, as in a month by post
     * from {@code from}: a row per day and value (no first users; a post id; a few users, one row in ten many; a sum), 25
     * days of each of {@code rows / 25} values. What {@link WarmUpService} reads.
     */
    public Compiled warmUpState(LocalDate from, int rows) {
        Binds binds = new Binds();
        String values = binds.bind(Math.max(1, rows / 25));
        String sql = "SELECT " + binds.bind(from) + "::date + (g / " + values + ") % 30, false, NULL::bytea, (g % " + values + ")::text,"
                + " CASE WHEN g % 10 = 0 THEN " + binds.bind(bitmap(RoaringBitmap.bitmapOfRange(0, 10_000))) + "::bytea ELSE "
                + binds.bind(bitmap(RoaringBitmap.bitmapOf(1, 2, 3))) + "::bytea END, g::bigint FROM generate_series(0, " + binds.bind(rows - 1) + ") g";
        return new Compiled(sql, binds.values());
    }

    private static Buffer bitmap(RoaringBitmap users) {
        return Buffer.buffer(DayStateDimension.bytes(users));
    }

    /**
     * As {@link #dayState} for days not over yet (V34): the days whose base was read under the app's version, then
     * their rows per value (several per value: the base and the batches' shares since, to be ORed and summed); no
     * first users (the batches move them).
     */
    public Compiled openDayState(Query query, String dimension, List<String> bitmaps, List<String> sums, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        String states = "SELECT s.app_id, s.event_date, NULL::bytea AS first_users FROM open_day_state s WHERE s.app_id = " + app
                + " AND s.event_date = ANY(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[]) AND s.held"
                + " AND NOT " + binds.bind(dimension) + " = ANY(s.unheld)"
                + " AND s.app_version = coalesce((SELECT version FROM closed_day_versions WHERE app_id = " + app + "), 0)";
        return new Compiled(state(query, dimension, bitmaps, sums, binds, states, "day_value_deltas"), binds.values());
    }

    /**
     * The rows of {@code states} (app_id, event_date, first_users), then the rows of {@code values} on their days: a probe of
     * the values' key per day, correlated on the day's row, so that a new app's days are not planned as one row each
     * with every day reading all of the app's values ({@link Sources#probe}).
     */
    private static String state(Query query, String dimension, List<String> bitmaps, List<String> sums, Binds binds, String states,
            String values) {
        List<String> nulls = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        Stream.concat(bitmaps.stream(), sums.stream()).forEach(column -> {
            nulls.add("NULL");
            columns.add("v." + column);
        });
        return "WITH s AS MATERIALIZED (" + states + ")"
                + " SELECT s.event_date, true AS day_row, s.first_users, NULL::text"
                + nulls.stream().map(n -> ", " + n).collect(Collectors.joining()) + " FROM s"
                + " UNION ALL SELECT v.event_date, false, NULL, v.value" + columns.stream().map(v -> ", " + v).collect(Collectors.joining())
                + " FROM s CROSS JOIN " + Sources.probe("SELECT v.* FROM " + values + " v WHERE v.app_id = s.app_id AND v.event_date = s.event_date"
                        + " AND v.dimension = " + binds.bind(dimension) + FilterSql.conditions(query.filters(), binds, filter -> "v.value")) + " v";
    }

    /**
     * Of {@code days}, those with nothing to answer: no row in the per-user daily rollup (a batch writes its users' rows of
     * every rollup in one transaction, so the event rollup has none either) and no user first seen on them (retention
     * drops a day's rollup rows, not its users' first day). Two index probes per day: {@code OFFSET 0} keeps each
     * {@code NOT EXISTS} a subplan per day. As an anti join, an app the statistics do not know (a new one, whose range
     * has no state yet: this question's usual app) was planned as one row and all its rows were read, twice: 2.4 s for
     * a new app of 1M rollup rows, 3 ms probed (PostgreSQL 15, bench/RESULTS.md, issue 15).
     */
    public Compiled quietDays(Query query, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        return new Compiled("SELECT d.day FROM unnest(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[]) AS d(day)"
                + " WHERE NOT EXISTS (SELECT 1 FROM fact_user_daily f WHERE f.app_id = " + app + " AND f.event_date = d.day OFFSET 0)"
                + " AND NOT EXISTS (SELECT 1 FROM user_first_seen s WHERE s.app_id = " + app + " AND s.first_date = d.day OFFSET 0)",
                binds.values());
    }

    /** The users whose first day is one of {@code days}: first_date, user_id, ordinal (null while aggregate has given none). */
    public Compiled firstUsers(Query query, List<LocalDate> days) {
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        return new Compiled("SELECT f.first_date, f.user_id, " + UserOrdinals.of("f.app_id", "f.user_id") + " AS ordinal FROM user_first_seen f"
                + " WHERE f.app_id = " + app + " AND f.first_date = ANY(" + binds.bind(days.toArray(LocalDate[]::new)) + "::date[])", binds.values());
    }

    /** The ordinals aggregate has given of {@code users} of the app: user_id, ordinal. */
    public Compiled ordinals(App app, Collection<String> users) {
        Binds binds = new Binds();
        return new Compiled("SELECT o.user_id, o.ordinal FROM user_ordinals o WHERE o.app_id = " + binds.bind(app.appId())
                + " AND o.user_id = ANY(" + binds.bind(users.toArray(String[]::new)) + "::text[])", binds.values());
    }

    /**
     * Per group, the totals of {@link #partials} over the query's range summed by PostgreSQL, so that only groups
     * reach memory: d0..dn, the partials' totals in the order given, then the counts of users, new users, feed
     * users, senders, feed-only, messenger-only, both, paying users, users with sessions, viewers and likers (as RollupTotals counts
     * them; 0 where not fetched).
     */
    public Compiled groupTotals(Query query, List<Partial> partials, boolean perUser) {
        Compiled perGroupAndUser = partials(query, partials, perUser, query.from(), query.to());
        int dims = query.dimensions().size();
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < dims; i++) {
            columns.add("u.d" + i);
        }
        for (int i = 0; i < partials.size(); i++) {
            columns.add(partials.get(i).total("u.p" + i));
        }
        String feed = "(" + positive(partials, Partial.VIEWS) + " OR " + positive(partials, Partial.LIKES) + ")";
        String messenger = positive(partials, Partial.MESSAGES);
        String isNew = partials.contains(Partial.NEW) ? "u.p" + partials.indexOf(Partial.NEW) : "false";
        columns.add("count(*)");
        for (String flag : List.of(isNew, feed, messenger, feed + " AND NOT " + messenger, messenger + " AND NOT " + feed,
                feed + " AND " + messenger, positive(partials, Partial.PURCHASES), positive(partials, Partial.SESSIONS),
                positive(partials, Partial.VIEWS), positive(partials, Partial.LIKES))) {
            columns.add("count(*) FILTER (WHERE " + flag + ")");
        }
        String sql = "SELECT " + String.join(", ", columns) + " FROM (" + perGroupAndUser.sql() + ") u"
                + (dims == 0 ? "" : " GROUP BY " + groupBy(dims, 0));
        return new Compiled(sql, perGroupAndUser.params());
    }

    private static String positive(List<Partial> partials, Partial count) {
        return partials.contains(count) ? "u.p" + partials.indexOf(count) + " > 0" : "false";
    }

    /**
     * wau and mau: distinct users over the 7 and 28 days ending on each day of the range (or on its last day
     * when the query has no time dimension). Columns: d0..dn as in {@link #aggregate}, then wau, mau.
     */
    public Compiled rolling(Query query) {
        boolean daily = query.timeDimension().isPresent();
        Binds binds = new Binds();
        String app = binds.bind(query.app().appId());
        String from = binds.bind(daily ? query.from() : query.to());
        String to = binds.bind(query.to());
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < query.dimensions().size(); i++) {
            Dimension d = query.dimensions().get(i);
            columns.add((d == Dimension.TIME_DAY ? "d.day" : d.sql()) + " AS d" + i);
        }
        columns.add("count(DISTINCT e.user_id) FILTER (WHERE e.event_date > d.day - 7) AS wau");
        columns.add("count(DISTINCT e.user_id) AS mau");
        String sql = "SELECT " + String.join(", ", columns)
                + " FROM (SELECT g::date AS day FROM generate_series(" + from + "::date, " + to + "::date, interval '1 day') AS g) d"
                + " JOIN " + Sources.of(rollupTable(query), Sources.needsFirstSeen(query.dimensions(), query.filters()))
                + " e ON e.app_id = " + app + " AND e.event_date BETWEEN d.day - 27 AND d.day"
                + " WHERE true" + FilterSql.conditions(query.filters(), binds)
                + " GROUP BY d.day" + (query.dimensions().isEmpty() ? "" : ", " + groupBy(query.dimensions().size(), 0));
        return new Compiled(sql, binds.values());
    }

    /** d0..dn: the dimensions' expressions. */
    private static List<String> dimensionColumns(List<Dimension> dims) {
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < dims.size(); i++) {
            columns.add(dims.get(i).sql() + " AS d" + i);
        }
        return columns;
    }

    private static String groupBy(int count, int offset) {
        List<String> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(String.valueOf(offset + i + 1));
        }
        return String.join(", ", positions);
    }

    /** Placeholders of a range of days. */
    private record Range(String from, String to) {
    }

    /** The user's first day lies in the row's bucket, clipped to the query's range (bound as {@code range} gives it). */
    private static NewUsers newUsers(Query query, Supplier<Range> range) {
        return firstDate -> query.timeDimension().map(time -> switch (time) {
            case TIME_DAY -> firstDate + " = e.event_date";
            case TIME_WEEK -> "date_trunc('week', " + firstDate + ") = date_trunc('week', e.event_date) AND " + inRange(firstDate, range.get());
            default -> "date_trunc('month', " + firstDate + ") = date_trunc('month', e.event_date) AND " + inRange(firstDate, range.get());
        }).orElseGet(() -> inRange(firstDate, range.get()));
    }

    private static String inRange(String firstDate, Range range) {
        return firstDate + " BETWEEN " + range.from() + " AND " + range.to();
    }
}
