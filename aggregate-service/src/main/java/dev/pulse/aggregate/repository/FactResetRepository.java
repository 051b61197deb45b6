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
            "post_daily_users", "content_daily_players", "fact_user_connections", "fact_content_engagement_daily", "fact_user_daily", "host_daily_visitors");

    /* the app-local day's times out of its week's lists; a list left empty goes (a replay writes it again if due) */
    private static final String EVENT_TIMES = """
            UPDATE user_event_times u SET times = user_event_times_without(u.times, user_event_times_day_start($2::date, a.timezone),
                                                                           user_event_times_day_start($2::date + 1, a.timezone))
            FROM apps a WHERE a.app_id = $1 AND u.app_id = $1 AND u.week_start = date_trunc('week', $2::date)::date""";

    public Uni<Void> reset(SqlConnection connection, String appId, LocalDate date) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String table : DAY_TABLES) {
            chain = chain.flatMap(x -> connection.preparedQuery("DELETE FROM " + table + " WHERE app_id = $1 AND event_date = $2")
                    .execute(Tuple.of(appId, date)).replaceWithVoid());
        }
        return chain
                .flatMap(x -> connection.preparedQuery(EVENT_TIMES).execute(Tuple.of(appId, date)).replaceWithVoid())
                .flatMap(x -> connection.preparedQuery("DELETE FROM user_event_times WHERE app_id = $1 AND week_start = date_trunc('week', $2::date)::date"
                        + " AND length(times) = 0").execute(Tuple.of(appId, date)).replaceWithVoid())
                .flatMap(x -> connection.preparedQuery("""
                                UPDATE quality_daily SET accepted = 0, late = 0, clamped = 0 WHERE app_id = $1 AND event_date = $2""")
                        .execute(Tuple.of(appId, date)).replaceWithVoid())
                .flatMap(x -> connection.preparedQuery("""
                                UPDATE host_activity_reduced SET hit_array[$3::int] = 0, unique_visitors_array[$3::int] = 0
                                WHERE app_id = $1 AND month_start = $2""")
                        .execute(Tuple.of(appId, date.withDayOfMonth(1), date.getDayOfMonth())).replaceWithVoid());
    }
}
