package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.Engagement;
import dev.pulse.aggregate.domain.RollupDelta;
import dev.pulse.aggregate.domain.RollupDelta.Counters;
import dev.pulse.aggregate.domain.RollupDelta.EventSide;
import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.aggregate.domain.SessionDelta.Change;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-user daily rollups, added to per batch of new events: fact_user_daily (by attached traits) and
 * fact_user_event_daily (by traits, the event-side dimensions and a message's receiver), with the same counters;
 * fact_user_daily's rows also take the batch's change of their sessions (V26), in the same statement: as a second
 * {@code UPDATE} it was 447 of 1,000 events' 3,257 row updates (bench/RESULTS.md, issue 15).
 */
@ApplicationScoped
public class UserDailyRollupRepository {
    private record Column(String name, String type, Class<?> java) {
    }

    private static final List<Column> KEY = List.of(new Column("app_id", "text", String.class),
            new Column("event_date", "date", LocalDate.class), new Column("user_id", "text", String.class));
    private static final List<Column> SIDE = List.of(new Column("event", "text", String.class), new Column("category", "text", String.class),
            new Column("device", "text", String.class), new Column("host", "text", String.class),
            new Column("content_type", "text", String.class), new Column("post_id", "bigint", Long.class),
            new Column("content_id", "text", String.class), new Column("receiver_id", "text", String.class));
    private static final List<Column> TRAITS = List.of(new Column("gender", "smallint", Short.class),
            new Column("age", "smallint", Short.class), new Column("user_os", "text", String.class),
            new Column("source", "text", String.class), new Column("country", "text", String.class),
            new Column("city", "text", String.class), new Column("exp_group", "int", Integer.class));
    private static final List<Column> COUNTERS = List.of(new Column("events", "int", Integer.class),
            new Column("views", "int", Integer.class), new Column("likes", "int", Integer.class),
            new Column("messages", "int", Integer.class), new Column("signups", "int", Integer.class),
            new Column("purchases", "int", Integer.class), new Column("revenue", "numeric", Numeric.class),
            new Column("page_views", "int", Integer.class), new Column("plays", "int", Integer.class),
            new Column("engagement_seconds", "double precision", Double.class),
            new Column("pct_sum", "double precision", Double.class), new Column("pct_count", "int", Integer.class));
    private static final String ADD = """
            events = f.events + EXCLUDED.events, views = f.views + EXCLUDED.views, likes = f.likes + EXCLUDED.likes,
            messages = f.messages + EXCLUDED.messages, signups = f.signups + EXCLUDED.signups,
            purchases = f.purchases + EXCLUDED.purchases, revenue = f.revenue + EXCLUDED.revenue,
            page_views = f.page_views + EXCLUDED.page_views, plays = f.plays + EXCLUDED.plays,
            engagement_seconds = f.engagement_seconds + EXCLUDED.engagement_seconds,
            pct_sum = f.pct_sum + EXCLUDED.pct_sum, pct_count = f.pct_count + EXCLUDED.pct_count""";
    private static final List<Column> SESSIONS = List.of(new Column("sessions", "int", Integer.class),
            new Column("session_seconds", "numeric", Numeric.class), new Column("bounces", "int", Integer.class));
    private static final String ADD_SESSIONS = """
            , sessions = f.sessions + EXCLUDED.sessions, session_seconds = f.session_seconds + EXCLUDED.session_seconds,
            bounces = f.bounces + EXCLUDED.bounces""";
    private static final List<Column> USER_DAILY = concat(KEY, TRAITS, COUNTERS, SESSIONS);
    private static final List<Column> USER_EVENT_DAILY = concat(KEY, SIDE, TRAITS, COUNTERS);
    private static final String USER_DAILY_UPSERT = upsert("fact_user_daily", USER_DAILY, "app_id, event_date, user_id, " + names(TRAITS))
            + ADD_SESSIONS;
    private static final String USER_EVENT_DAILY_UPSERT = upsert("fact_user_event_daily", USER_EVENT_DAILY,
            "app_id, event_date, user_id, fact_user_event_daily_side(" + names(concat(SIDE, TRAITS)) + ")");
    private static final Counters NONE = new Counters(0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, 0, new Engagement(0, 0, 0));
    private static final Change UNCHANGED = new Change(0, 0, 0);

    @SafeVarargs
    private static List<Column> concat(List<Column>... groups) {
        return Arrays.stream(groups).flatMap(List::stream).toList();
    }

    private static String names(List<Column> columns) {
        return String.join(", ", columns.stream().map(Column::name).toList());
    }

    /**
     * An upsert adding the counters to the row of each key, found by the table's unique index ({@code conflict}): one
     * statement for the batch, a parameter array per column, rows in the delta's order. Executed row by row, the two
     * rollups took 87,858 executions for 68,000 events in the standard run (bench/RESULTS.md, issue 15).
     */
    private static String upsert(String table, List<Column> columns, String conflict) {
        List<String> arrays = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            arrays.add("$" + (i + 1) + "::" + columns.get(i).type() + "[]");
        }
        return "INSERT INTO " + table + " AS f (" + names(columns) + ") SELECT " + names(columns)
                + " FROM unnest(" + String.join(", ", arrays) + ") WITH ORDINALITY AS r(" + names(columns) + ", row_number)"
                + " ORDER BY row_number ON CONFLICT (" + conflict + ") DO UPDATE SET " + ADD;
    }

    /**
     * @param sessions the batch's change of fact_user_daily's sessions per row; a row of a session but of none of the
     *                 batch's events (a session started under other traits) exists already and keeps its counters
     * @return the rows added, fact_user_event_daily's (fact_user_daily's are their sums per traits)
     */
    public Uni<RollupDelta> apply(SqlConnection connection, List<EnrichedEvent> fresh, Map<TraitsDay, Change> sessions) {
        RollupDelta bySide = RollupDelta.byEventSide(fresh);
        Map<TraitsDay, Counters> daily = new LinkedHashMap<>(bySide.withoutEventSide().rows());
        sessions.keySet().forEach(k -> daily.putIfAbsent(k, NONE));
        List<Object[]> dailyValues = daily.entrySet().stream().map(row -> {
            List<Object> values = values(row.getKey(), row.getValue());
            Change change = sessions.getOrDefault(row.getKey(), UNCHANGED);
            values.addAll(Arrays.asList(change.sessions(), Numeric.create(BigDecimal.valueOf(change.micros(), 6)), change.bounces()));
            return values.toArray();
        }).toList();
        List<Object[]> sideValues = bySide.rows().entrySet().stream().map(row -> values(row.getKey(), row.getValue()).toArray()).toList();
        return upsert(connection, USER_DAILY_UPSERT, USER_DAILY, dailyValues)
                .flatMap(x -> upsert(connection, USER_EVENT_DAILY_UPSERT, USER_EVENT_DAILY, sideValues))
                .replaceWith(bySide);
    }

    private static Uni<Void> upsert(SqlConnection connection, String sql, List<Column> columns, List<Object[]> values) {
        if (values.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(sql).execute(Sql.columns(values, columns.stream().map(Column::java).toArray(Class<?>[]::new)))
                .replaceWithVoid();
    }

    /** A row's values in its table's column order: the key, the event side where it has one, traits, counters. */
    private static List<Object> values(TraitsDay k, Counters c) {
        EventSide side = k.side();
        List<Object> values = new ArrayList<>(Arrays.asList(k.appId(), k.date(), k.userId()));
        if (side != null) {
            values.addAll(Arrays.asList(side.event(), side.category(), side.device(), side.host(), side.contentType(), side.postId(), side.contentId(),
                    side.receiverId()));
        }
        values.addAll(Sql.traits(k.traits()));
        values.addAll(Arrays.asList(c.events(), c.views(), c.likes(), c.messages(), c.signups(), c.purchases(), Numeric.create(c.revenue()), c.pageViews(),
                c.plays(), c.engagement().seconds(), c.engagement().pctSum(), c.engagement().pctCount()));
        return values;
    }
}
