package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.RollupDelta;
import dev.pulse.aggregate.domain.RollupDelta.Counters;
import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** fact_user_daily: per-user daily counters by attached traits, added to per batch of new events. */
@ApplicationScoped
public class UserDailyRollupRepository {
    private static final String UPSERT = """
            INSERT INTO fact_user_daily AS f (app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group,
                events, views, likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::numeric, $18, $19, $20, $21, $22)
            ON CONFLICT (app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group) DO UPDATE SET
                events = f.events + EXCLUDED.events, views = f.views + EXCLUDED.views, likes = f.likes + EXCLUDED.likes,
                messages = f.messages + EXCLUDED.messages, signups = f.signups + EXCLUDED.signups,
                purchases = f.purchases + EXCLUDED.purchases, revenue = f.revenue + EXCLUDED.revenue,
                page_views = f.page_views + EXCLUDED.page_views, plays = f.plays + EXCLUDED.plays,
                engagement_seconds = f.engagement_seconds + EXCLUDED.engagement_seconds,
                pct_sum = f.pct_sum + EXCLUDED.pct_sum, pct_count = f.pct_count + EXCLUDED.pct_count""";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        return Sql.batch(connection, UPSERT, RollupDelta.of(fresh).rows().entrySet().stream().map(entry -> {
            TraitsDay k = entry.getKey();
            Counters c = entry.getValue();
            UserTraits t = k.traits();
            return Tuple.from(new Object[] {k.appId(), k.date(), k.userId(),
                    t.gender() == null ? null : t.gender().shortValue(), t.age() == null ? null : t.age().shortValue(),
                    t.os(), t.source(), t.country(), t.city(), t.expGroup(),
                    c.events(), c.views(), c.likes(), c.messages(), c.signups(), c.purchases(), Numeric.create(c.revenue()), c.pageViews(),
                    c.plays(), c.engagement().seconds(), c.engagement().pctSum(), c.engagement().pctCount()});
        }).toList());
    }
}
