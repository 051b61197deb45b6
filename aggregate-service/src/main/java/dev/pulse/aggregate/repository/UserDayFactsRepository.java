package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.Collection;

/**
 * fact_daily_feed and fact_daily_messenger: per user and day, small enough to recompute from the raw store
 * for every (app, day, user) a batch touches. Recompute/backfill calls the same statements, so both paths
 * agree by construction.
 */
@ApplicationScoped
public class UserDayFactsRepository {
    public record UserDay(String appId, LocalDate date, String userId) {
    }

    private static final String KEYS = """
            WITH k AS (SELECT DISTINCT * FROM unnest($1::text[], $2::date[], $3::text[]) AS k(app_id, event_date, user_id))""";

    private static final String FEED = KEYS + """
            , per_post AS (
                SELECT e.app_id, e.event_date, e.user_id, e.post_id,
                       min(e.event_ts) FILTER (WHERE e.event = 'feed.view') AS first_view,
                       max(e.event_ts) FILTER (WHERE e.event = 'feed.view') AS last_view,
                       min(e.event_ts) FILTER (WHERE e.event = 'feed.like') AS first_like,
                       max(e.event_ts) FILTER (WHERE e.event = 'feed.like') AS last_like,
                       count(*) FILTER (WHERE e.event = 'feed.view') AS views,
                       count(*) FILTER (WHERE e.event = 'feed.like') AS likes
                FROM events e JOIN k USING (app_id, event_date, user_id)
                WHERE e.event IN ('feed.view', 'feed.like')
                GROUP BY 1, 2, 3, 4)
            INSERT INTO fact_daily_feed (app_id, event_date, user_id, first_view_ts, last_view_ts, first_like_ts,
                last_like_ts, posts, views, likes, avg_time_between_views, avg_time_between_likes, avg_view_to_like_seconds)
            SELECT app_id, event_date, user_id, min(first_view), max(last_view), min(first_like), max(last_like),
                   count(*), sum(views), sum(likes),
                   CASE WHEN sum(views) > 1 THEN extract(epoch FROM max(last_view) - min(first_view)) / (sum(views) - 1) END,
                   CASE WHEN sum(likes) > 1 THEN extract(epoch FROM max(last_like) - min(first_like)) / (sum(likes) - 1) END,
                   avg(extract(epoch FROM first_like - first_view)) FILTER (WHERE first_like >= first_view)
            FROM per_post GROUP BY 1, 2, 3
            ON CONFLICT (app_id, event_date, user_id) DO UPDATE SET
                first_view_ts = EXCLUDED.first_view_ts, last_view_ts = EXCLUDED.last_view_ts,
                first_like_ts = EXCLUDED.first_like_ts, last_like_ts = EXCLUDED.last_like_ts,
                posts = EXCLUDED.posts, views = EXCLUDED.views, likes = EXCLUDED.likes,
                avg_time_between_views = EXCLUDED.avg_time_between_views,
                avg_time_between_likes = EXCLUDED.avg_time_between_likes,
                avg_view_to_like_seconds = EXCLUDED.avg_view_to_like_seconds""";

    private static final String MESSENGER = KEYS + """
            , sent AS (
                SELECT e.app_id, e.event_date, e.user_id, min(e.event_ts) AS first_ts, max(e.event_ts) AS last_ts,
                       count(DISTINCT e.receiver_id) AS users, count(*) AS messages
                FROM events e JOIN k USING (app_id, event_date, user_id)
                WHERE e.event = 'message.sent' GROUP BY 1, 2, 3),
            received AS (
                SELECT e.app_id, e.event_date, e.receiver_id AS user_id, min(e.event_ts) AS first_ts,
                       max(e.event_ts) AS last_ts, count(DISTINCT e.user_id) AS users, count(*) AS messages
                FROM events e JOIN k ON e.app_id = k.app_id AND e.event_date = k.event_date AND e.receiver_id = k.user_id
                WHERE e.event = 'message.sent' GROUP BY 1, 2, 3)
            INSERT INTO fact_daily_messenger (app_id, event_date, user_id, first_sent_ts, last_sent_ts, users_sent,
                messages_sent, first_received_ts, last_received_ts, users_received, messages_received,
                avg_time_between_sent, avg_time_between_received)
            SELECT k.app_id, k.event_date, k.user_id, s.first_ts, s.last_ts, coalesce(s.users, 0), coalesce(s.messages, 0),
                   r.first_ts, r.last_ts, coalesce(r.users, 0), coalesce(r.messages, 0),
                   CASE WHEN s.messages > 1 THEN extract(epoch FROM s.last_ts - s.first_ts) / (s.messages - 1) END,
                   CASE WHEN r.messages > 1 THEN extract(epoch FROM r.last_ts - r.first_ts) / (r.messages - 1) END
            FROM k LEFT JOIN sent s USING (app_id, event_date, user_id) LEFT JOIN received r USING (app_id, event_date, user_id)
            WHERE s.user_id IS NOT NULL OR r.user_id IS NOT NULL
            ON CONFLICT (app_id, event_date, user_id) DO UPDATE SET
                first_sent_ts = EXCLUDED.first_sent_ts, last_sent_ts = EXCLUDED.last_sent_ts,
                users_sent = EXCLUDED.users_sent, messages_sent = EXCLUDED.messages_sent,
                first_received_ts = EXCLUDED.first_received_ts, last_received_ts = EXCLUDED.last_received_ts,
                users_received = EXCLUDED.users_received, messages_received = EXCLUDED.messages_received,
                avg_time_between_sent = EXCLUDED.avg_time_between_sent,
                avg_time_between_received = EXCLUDED.avg_time_between_received""";

    public Uni<Void> recomputeFeed(SqlClient client, Collection<UserDay> keys) {
        return run(client, FEED, keys);
    }

    public Uni<Void> recomputeMessenger(SqlClient client, Collection<UserDay> keys) {
        return run(client, MESSENGER, keys);
    }

    private static Uni<Void> run(SqlClient client, String sql, Collection<UserDay> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery(sql).execute(Tuple.of(
                keys.stream().map(UserDay::appId).toArray(String[]::new),
                keys.stream().map(UserDay::date).toArray(LocalDate[]::new),
                keys.stream().map(UserDay::userId).toArray(String[]::new))).replaceWithVoid();
    }
}
