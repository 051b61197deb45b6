package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;

/**
 * Empties what an app's day contributed to the additive facts and to the funnels' event times, so that replaying
 * the day's stored events rebuilds them (the times of events no longer stored go too). Union-like tables (first
 * seen, active-date lists) need no reset: replaying is idempotent there.
 */
@ApplicationScoped
public class FactResetRepository {
    private static final List<String> DAY_TABLES = List.of("fact_daily_feed", "feed_user_posts", "fact_daily_messenger", "fact_daily_posts",
            "post_daily_users", "content_daily_players", "fact_user_connections", "fact_content_engagement_daily", "fact_user_daily", "fact_user_event_daily",
            "host_daily_visitors", "user_day_session_ends");

    private final EventTimesRepository eventTimes;

    public FactResetRepository(EventTimesRepository eventTimes) {
        this.eventTimes = eventTimes;
    }

    public Uni<Void> reset(SqlConnection connection, String appId, LocalDate date) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String table : DAY_TABLES) {
            chain = chain.flatMap(x -> connection.preparedQuery("DELETE FROM " + table + " WHERE app_id = $1 AND event_date = $2")
                    .execute(Tuple.of(appId, date)).replaceWithVoid());
        }
        return chain
                .flatMap(x -> eventTimes.cutDay(connection, appId, date))
                .flatMap(x -> connection.preparedQuery("""
                                UPDATE quality_daily SET accepted = 0, late = 0, clamped = 0 WHERE app_id = $1 AND event_date = $2""")
                        .execute(Tuple.of(appId, date)).replaceWithVoid())
                .flatMap(x -> connection.preparedQuery("""
                                UPDATE host_activity_reduced SET hit_array[$3::int] = 0, unique_visitors_array[$3::int] = 0
                                WHERE app_id = $1 AND month_start = $2""")
                        .execute(Tuple.of(appId, date.withDayOfMonth(1), date.getDayOfMonth())).replaceWithVoid());
    }
}
