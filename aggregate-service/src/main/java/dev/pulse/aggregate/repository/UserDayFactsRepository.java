package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fact_daily_feed and fact_daily_messenger, per user and day. The feed facts are recomputed from the raw store
 * for every (app, day, user) a batch touches (the view-to-like average needs each post's first view and like);
 * the messenger facts are updated incrementally. Recompute/backfill replays the same statements, so both paths
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

    /*
     * Incremental: a batch's messages move each side's first/last time and message count; the distinct users of
     * each side are the user-day's rows in fact_user_connections, which the same transaction has just updated.
     */
    private static final String MESSENGER = """
            INSERT INTO fact_daily_messenger AS f (app_id, event_date, user_id, first_sent_ts, last_sent_ts, users_sent,
                messages_sent, first_received_ts, last_received_ts, users_received, messages_received,
                avg_time_between_sent, avg_time_between_received)
            SELECT d.app_id, d.event_date, d.user_id, d.first_sent, d.last_sent,
                   (SELECT count(*) FROM fact_user_connections c
                    WHERE c.app_id = d.app_id AND c.event_date = d.event_date AND c.sender_id = d.user_id),
                   d.sent, d.first_received, d.last_received,
                   (SELECT count(*) FROM fact_user_connections c
                    WHERE c.app_id = d.app_id AND c.event_date = d.event_date AND c.receiver_id = d.user_id),
                   d.received,
                   CASE WHEN d.sent > 1 THEN extract(epoch FROM d.last_sent - d.first_sent) / (d.sent - 1) END,
                   CASE WHEN d.received > 1 THEN extract(epoch FROM d.last_received - d.first_received) / (d.received - 1) END
            FROM unnest($1::text[], $2::date[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[],
                        $7::timestamptz[], $8::timestamptz[], $9::int[])
                AS d(app_id, event_date, user_id, first_sent, last_sent, sent, first_received, last_received, received)
            ON CONFLICT (app_id, event_date, user_id) DO UPDATE SET
                first_sent_ts = least(f.first_sent_ts, EXCLUDED.first_sent_ts),
                last_sent_ts = greatest(f.last_sent_ts, EXCLUDED.last_sent_ts),
                users_sent = EXCLUDED.users_sent,
                messages_sent = f.messages_sent + EXCLUDED.messages_sent,
                first_received_ts = least(f.first_received_ts, EXCLUDED.first_received_ts),
                last_received_ts = greatest(f.last_received_ts, EXCLUDED.last_received_ts),
                users_received = EXCLUDED.users_received,
                messages_received = f.messages_received + EXCLUDED.messages_received,
                avg_time_between_sent = CASE WHEN f.messages_sent + EXCLUDED.messages_sent > 1 THEN
                    extract(epoch FROM greatest(f.last_sent_ts, EXCLUDED.last_sent_ts) - least(f.first_sent_ts, EXCLUDED.first_sent_ts))
                    / (f.messages_sent + EXCLUDED.messages_sent - 1) END,
                avg_time_between_received = CASE WHEN f.messages_received + EXCLUDED.messages_received > 1 THEN
                    extract(epoch FROM greatest(f.last_received_ts, EXCLUDED.last_received_ts) - least(f.first_received_ts, EXCLUDED.first_received_ts))
                    / (f.messages_received + EXCLUDED.messages_received - 1) END""";

    /** One user-day's share of a batch's messages, both sides. */
    private static final class Sides {
        Instant firstSent;
        Instant lastSent;
        int sent;
        Instant firstReceived;
        Instant lastReceived;
        int received;
    }

    public Uni<Void> recomputeFeed(SqlClient client, Collection<UserDay> keys) {
        return run(client, FEED, keys);
    }

    /** The messages new to the raw store (fact_user_connections already holds them). */
    public Uni<Void> applyMessenger(SqlClient client, List<EnrichedEvent> fresh) {
        Map<UserDay, Sides> days = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            if (EventCatalog.MESSAGE_SENT.equals(e.event())) {
                Sides sender = days.computeIfAbsent(new UserDay(e.appId(), e.eventDate(), e.userId()), k -> new Sides());
                sender.firstSent = Sql.min(sender.firstSent, e.timestamp());
                sender.lastSent = Sql.max(sender.lastSent, e.timestamp());
                sender.sent++;
                Sides receiver = days.computeIfAbsent(new UserDay(e.appId(), e.eventDate(), e.receiverId()), k -> new Sides());
                receiver.firstReceived = Sql.min(receiver.firstReceived, e.timestamp());
                receiver.lastReceived = Sql.max(receiver.lastReceived, e.timestamp());
                receiver.received++;
            }
        }
        if (days.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<UserDay> keys = List.copyOf(days.keySet());
        List<Sides> sides = keys.stream().map(days::get).toList();
        return client.preparedQuery(MESSENGER).execute(Tuple.from(new Object[] {
                keys.stream().map(UserDay::appId).toArray(String[]::new),
                keys.stream().map(UserDay::date).toArray(LocalDate[]::new),
                keys.stream().map(UserDay::userId).toArray(String[]::new),
                sides.stream().map(d -> Sql.ts(d.firstSent)).toArray(OffsetDateTime[]::new),
                sides.stream().map(d -> Sql.ts(d.lastSent)).toArray(OffsetDateTime[]::new),
                sides.stream().map(d -> d.sent).toArray(Integer[]::new),
                sides.stream().map(d -> Sql.ts(d.firstReceived)).toArray(OffsetDateTime[]::new),
                sides.stream().map(d -> Sql.ts(d.lastReceived)).toArray(OffsetDateTime[]::new),
                sides.stream().map(d -> d.received).toArray(Integer[]::new)})).replaceWithVoid();
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
