package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.Activity;
import dev.pulse.aggregate.domain.FeedActivity;
import dev.pulse.aggregate.domain.PostDelta;
import dev.pulse.aggregate.domain.PostDelta.PostDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fact_daily_posts, incrementally: a popular post has too many events a day to recompute per batch. Distinct
 * viewers and likers stay exact through post_daily_users; averages follow from first, last and count.
 */
@ApplicationScoped
public class PostFactsRepository {
    private static final String NEW_USERS = """
            INSERT INTO post_daily_users (app_id, event_date, post_id, kind, user_id)
            SELECT DISTINCT * FROM unnest($1::text[], $2::date[], $3::int8[], $4::text[], $5::text[])
            ON CONFLICT DO NOTHING
            RETURNING app_id, event_date, post_id, kind""";

    // the mean gaps are computed by PostgreSQL (mean_gap_seconds) on insert and on update alike, from the stored (microsecond)
    // times; one statement for the batch's post-days, in the delta's order (a statement per post-day before)
    private static final String UPSERT = """
            INSERT INTO fact_daily_posts AS f (app_id, event_date, post_id, first_action_ts, last_action_ts, views, likes,
                unique_viewers, unique_likers, avg_time_between_views, avg_time_between_likes,
                first_view_ts, last_view_ts, first_like_ts, last_like_ts)
            SELECT app_id, event_date, post_id, least(first_view_ts, first_like_ts), greatest(last_view_ts, last_like_ts),
                   views, likes, unique_viewers, unique_likers,
                   mean_gap_seconds(first_view_ts, last_view_ts, views), mean_gap_seconds(first_like_ts, last_like_ts, likes),
                   first_view_ts, last_view_ts, first_like_ts, last_like_ts
            FROM unnest($1::text[], $2::date[], $3::int8[], $4::int[], $5::int[], $6::int[], $7::int[], $8::timestamptz[], $9::timestamptz[],
                        $10::timestamptz[], $11::timestamptz[])
                 WITH ORDINALITY AS r(app_id, event_date, post_id, views, likes, unique_viewers, unique_likers, first_view_ts, last_view_ts,
                                      first_like_ts, last_like_ts, row_number)
            ORDER BY row_number
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
        PostDelta delta = PostDelta.of(fresh);
        List<EnrichedEvent> actions = delta.actions();
        if (actions.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Tuple users = Tuple.of(
                actions.stream().map(EnrichedEvent::appId).toArray(String[]::new),
                actions.stream().map(EnrichedEvent::eventDate).toArray(LocalDate[]::new),
                actions.stream().map(EnrichedEvent::postId).toArray(Long[]::new),
                actions.stream().map(e -> FeedActivity.isView(e) ? "v" : "l").toArray(String[]::new),
                actions.stream().map(EnrichedEvent::userId).toArray(String[]::new));
        return connection.preparedQuery(NEW_USERS).execute(users).flatMap(rows -> {
            Map<PostDay, Integer> newViewers = new HashMap<>();
            Map<PostDay, Integer> newLikers = new HashMap<>();
            for (Row row : rows) {
                PostDay day = new PostDay(row.getString("app_id"), row.getLocalDate("event_date"), row.getLong("post_id"));
                ("v".equals(row.getString("kind")) ? newViewers : newLikers).merge(day, 1, Integer::sum);
            }
            List<Object[]> upserts = delta.days().entrySet().stream().map(entry -> {
                PostDay k = entry.getKey();
                Activity views = entry.getValue().views();
                Activity likes = entry.getValue().likes();
                return new Object[] {k.appId(), k.date(), k.postId(), views.count(), likes.count(),
                        newViewers.getOrDefault(k, 0), newLikers.getOrDefault(k, 0),
                        Sql.ts(views.first()), Sql.ts(views.last()), Sql.ts(likes.first()), Sql.ts(likes.last())};
            }).toList();
            return connection.preparedQuery(UPSERT).execute(Sql.columns(upserts, String.class, LocalDate.class, Long.class, Integer.class,
                    Integer.class, Integer.class, Integer.class, OffsetDateTime.class, OffsetDateTime.class, OffsetDateTime.class,
                    OffsetDateTime.class)).replaceWithVoid();
        });
    }
}
