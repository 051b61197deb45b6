package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.RollupDelta;
import dev.pulse.aggregate.domain.RollupDelta.Counters;
import dev.pulse.aggregate.domain.RollupDelta.EventSide;
import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The per-user daily rollups, added to per batch of new events: fact_user_daily (by attached traits) and
 * fact_user_event_daily (by traits and the event-side dimensions), with the same counters.
 */
@ApplicationScoped
public class UserDailyRollupRepository {
    private static final String TRAITS = "gender, age, user_os, source, country, city, exp_group";
    private static final String COUNTERS = "events, views, likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds,"
            + " pct_sum, pct_count";
    private static final String ADD = """
            events = f.events + EXCLUDED.events, views = f.views + EXCLUDED.views, likes = f.likes + EXCLUDED.likes,
            messages = f.messages + EXCLUDED.messages, signups = f.signups + EXCLUDED.signups,
            purchases = f.purchases + EXCLUDED.purchases, revenue = f.revenue + EXCLUDED.revenue,
            page_views = f.page_views + EXCLUDED.page_views, plays = f.plays + EXCLUDED.plays,
            engagement_seconds = f.engagement_seconds + EXCLUDED.engagement_seconds,
            pct_sum = f.pct_sum + EXCLUDED.pct_sum, pct_count = f.pct_count + EXCLUDED.pct_count""";
    private static final String USER_DAILY = upsert("fact_user_daily", "app_id, event_date, user_id, " + TRAITS,
            "app_id, event_date, user_id, " + TRAITS);
    private static final String EVENT_SIDE = "event, category, device, host, content_type, " + TRAITS;
    private static final String USER_EVENT_DAILY = upsert("fact_user_event_daily", "app_id, event_date, user_id, " + EVENT_SIDE,
            "app_id, event_date, user_id, fact_user_event_daily_side(" + EVENT_SIDE + ")");

    /** An upsert adding the counters to the row of {@code key}, found by the table's unique index ({@code conflict}). */
    private static String upsert(String table, String key, String conflict) {
        int columns = key.split(",").length + COUNTERS.split(",").length;
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
            values.add("$" + i);
        }
        return "INSERT INTO " + table + " AS f (" + key + ", " + COUNTERS + ") VALUES (" + String.join(", ", values) + ")"
                + " ON CONFLICT (" + conflict + ") DO UPDATE SET " + ADD;
    }

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        RollupDelta bySide = RollupDelta.byEventSide(fresh);
        return Sql.batch(connection, USER_DAILY, tuples(bySide.withoutEventSide().rows()))
                .flatMap(x -> Sql.batch(connection, USER_EVENT_DAILY, tuples(bySide.rows())));
    }

    private static List<Tuple> tuples(Map<TraitsDay, Counters> rows) {
        return rows.entrySet().stream().map(entry -> {
            TraitsDay k = entry.getKey();
            Counters c = entry.getValue();
            UserTraits t = k.traits();
            EventSide side = k.side();
            List<Object> values = new ArrayList<>(Arrays.asList(k.appId(), k.date(), k.userId()));
            if (side != null) {
                values.addAll(Arrays.asList(side.event(), side.category(), side.device(), side.host(), side.contentType()));
            }
            values.addAll(Arrays.asList(t.gender() == null ? null : t.gender().shortValue(), t.age() == null ? null : t.age().shortValue(),
                    t.os(), t.source(), t.country(), t.city(), t.expGroup(),
                    c.events(), c.views(), c.likes(), c.messages(), c.signups(), c.purchases(), Numeric.create(c.revenue()), c.pageViews(),
                    c.plays(), c.engagement().seconds(), c.engagement().pctSum(), c.engagement().pctCount()));
            return Tuple.from(values);
        }).toList();
    }
}
