package dev.pulse.aggregate.repository;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * fact_daily_posts, incrementally: a popular post has too many events a day to recompute per batch. Distinct
 * viewers and likers stay exact through post_daily_users; averages follow from first, last and count.
 */
@ApplicationScoped
public class PostFactsRepository {
    private record PostDay(String appId, LocalDate date, long postId) {
    }

    private static final class Delta {
        long views;
        long likes;
        long newViewers;
        long newLikers;
        Instant firstView;
        Instant lastView;
        Instant firstLike;
        Instant lastLike;

        void add(EnrichedEvent e) {
            if (EventCatalog.FEED_VIEW.equals(e.event())) {
                views++;
                firstView = Sql.min(firstView, e.timestamp());
                lastView = Sql.max(lastView, e.timestamp());
            } else {
                likes++;
                firstLike = Sql.min(firstLike, e.timestamp());
                lastLike = Sql.max(lastLike, e.timestamp());
            }
        }
    }

    private static final String NEW_USERS = """
            INSERT INTO post_daily_users (app_id, event_date, post_id, kind, user_id)
            SELECT DISTINCT * FROM unnest($1::text[], $2::date[], $3::int8[], $4::text[], $5::text[])
            ON CONFLICT DO NOTHING
            RETURNING app_id, event_date, post_id, kind""";

    // the mean gaps are computed by PostgreSQL (mean_gap_seconds) on insert and on update alike, from the stored (microsecond) times
    private static final String UPSERT = """
            INSERT INTO fact_daily_posts AS f (app_id, event_date, post_id, first_action_ts, last_action_ts, views, likes,
                unique_viewers, unique_likers, avg_time_between_views, avg_time_between_likes,
                first_view_ts, last_view_ts, first_like_ts, last_like_ts)
            VALUES ($1, $2, $3, least($8::timestamptz, $10::timestamptz), greatest($9::timestamptz, $11::timestamptz),
                    $4, $5, $6, $7,
                    mean_gap_seconds($8::timestamptz, $9::timestamptz, $4::int),
                    mean_gap_seconds($10::timestamptz, $11::timestamptz, $5::int),
                    $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz)
            ON CONFLICT (app_id, event_date, post_id) DO UPDATE SET
                first_action_ts = least(f.first_action_ts, EXCLUDED.first_action_ts),
                last_action_ts = greatest(f.last_action_ts, EXCLUDED.last_action_ts),
                views = f.views + EXCLUDED.views,
                likes = f.likes + EXCLUDED.likes,
                unique_viewers = f.unique_viewers + EXCLUDED.unique_viewers,
                unique_likers = f.unique_likers + EXCLUDED.unique_likers,
                first_view_ts = least(f.first_view_ts, EXCLUDED.first_view_ts),
                last_view_ts = greatest(f.last_view_ts, EXCLUDED.last_view_ts),
                first_like_ts = least(f.first_like_ts, EXCLUDED.first_like_ts),
                last_like_ts = greatest(f.last_like_ts, EXCLUDED.last_like_ts),
                avg_time_between_views = mean_gap_seconds(least(f.first_view_ts, EXCLUDED.first_view_ts),
                    greatest(f.last_view_ts, EXCLUDED.last_view_ts), f.views + EXCLUDED.views),
                avg_time_between_likes = mean_gap_seconds(least(f.first_like_ts, EXCLUDED.first_like_ts),
                    greatest(f.last_like_ts, EXCLUDED.last_like_ts), f.likes + EXCLUDED.likes)""";

    public Uni<Void> apply(SqlConnection connection, List<EnrichedEvent> fresh) {
        List<EnrichedEvent> feed = fresh.stream().filter(e -> e.postId() != null).toList();
        if (feed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<PostDay, Delta> deltas = new LinkedHashMap<>();
        for (EnrichedEvent e : feed) {
            deltas.computeIfAbsent(new PostDay(e.appId(), e.eventDate(), e.postId()), k -> new Delta()).add(e);
        }
        Tuple users = Tuple.of(
                feed.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                feed.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                feed.stream().map(EnrichedEvent::postId).toArray(Long[]::new),
                feed.stream().map(e -> EventCatalog.FEED_VIEW.equals(e.event()) ? "v" : "l").toArray(String[]::new),
                feed.stream().map(EnrichedEvent::userId).toArray(String[]::new));
        return connection.preparedQuery(NEW_USERS).execute(users).flatMap(rows -> {
            for (Row row : rows) {
                Delta delta = deltas.get(new PostDay(row.getString("app_id"), row.getLocalDate("event_date"), row.getLong("post_id")));
                if ("v".equals(row.getString("kind"))) {
                    delta.newViewers++;
                } else {
                    delta.newLikers++;
                }
            }
            List<Tuple> upserts = deltas.entrySet().stream().map(entry -> {
                PostDay k = entry.getKey();
                Delta d = entry.getValue();
                return Tuple.from(new Object[] {k.appId(), k.date(), k.postId(), (int) d.views, (int) d.likes,
                        (int) d.newViewers, (int) d.newLikers, Sql.ts(d.firstView), Sql.ts(d.lastView), Sql.ts(d.firstLike), Sql.ts(d.lastLike)});
            }).toList();
            return connection.preparedQuery(UPSERT).executeBatch(upserts).replaceWithVoid();
        });
    }
}
