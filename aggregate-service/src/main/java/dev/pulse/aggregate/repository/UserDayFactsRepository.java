package dev.pulse.aggregate.repository;

import dev.pulse.aggregate.domain.Activity;
import dev.pulse.aggregate.domain.FeedActivity;
import dev.pulse.aggregate.domain.FeedDelta;
import dev.pulse.aggregate.domain.FeedDelta.UserPost;
import dev.pulse.aggregate.domain.MessengerDelta;
import dev.pulse.aggregate.domain.MessengerDelta.Messages;
import dev.pulse.aggregate.domain.NewConnections;
import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * fact_daily_feed and fact_daily_messenger, per user and day, updated incrementally by the events new to the raw
 * store; their distinct counts come from the per-user-day detail tables the same transaction keeps
 * (feed_user_posts, fact_user_connections). Recompute/backfill replays the same statements, so both paths agree
 * by construction.
 */
@ApplicationScoped
public class UserDayFactsRepository {
    /*
     * A batch's first view and like of each post by each user-day, merged into what earlier batches saw; the change
     * of each user's view-to-like time (new minus old, both read in this statement's snapshot) moves the post-day's
     * sum and count in fact_daily_posts, whose rows the batch has already written (PostFactsRepository runs first).
     * Returned per user-day, for fact_daily_feed: the posts the batch added (rows after minus rows before) and the
     * change of its view-to-like sum and count. One writer per user at a time (events.enriched is keyed by user, and
     * the batch has locked its users' user_first_seen rows first, AggregationService), so no other transaction changes
     * these rows meanwhile.
     */
    private static final String FEED_POSTS = """
            WITH d AS (
                SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
                    AS d(app_id, event_date, user_id, post_id, first_view_ts, first_like_ts)),
            old AS (
                SELECT f.app_id, f.event_date, f.user_id, f.post_id, f.first_view_ts, f.first_like_ts
                FROM feed_user_posts f JOIN d USING (app_id, event_date, user_id, post_id)),
            merged AS (
                INSERT INTO feed_user_posts AS f (app_id, event_date, user_id, post_id, first_view_ts, first_like_ts)
                SELECT * FROM d
                ON CONFLICT (app_id, event_date, user_id, post_id) DO UPDATE SET
                    first_view_ts = least(f.first_view_ts, EXCLUDED.first_view_ts),
                    first_like_ts = least(f.first_like_ts, EXCLUDED.first_like_ts)
                RETURNING app_id, event_date, user_id, post_id, first_view_ts, first_like_ts),
            changes AS (
                SELECT *, 1 AS sign, extract(epoch FROM first_like_ts - first_view_ts) AS seconds FROM merged
                UNION ALL SELECT *, -1, extract(epoch FROM first_like_ts - first_view_ts) FROM old),
            delta AS (
                SELECT app_id, event_date, post_id, sum(sign * seconds) AS seconds, sum(sign)::int AS n
                FROM changes WHERE seconds >= 0
                GROUP BY 1, 2, 3),
            posts AS (
                UPDATE fact_daily_posts p SET
                    view_to_like_sum = p.view_to_like_sum + delta.seconds,
                    view_to_like_count = p.view_to_like_count + delta.n,
                    avg_view_to_like_seconds = ((p.view_to_like_sum + delta.seconds) / NULLIF(p.view_to_like_count + delta.n, 0))::float8
                FROM delta
                WHERE p.app_id = delta.app_id AND p.event_date = delta.event_date AND p.post_id = delta.post_id
                  AND (delta.seconds <> 0 OR delta.n <> 0))
            SELECT app_id, event_date, user_id, sum(sign)::int AS added,
                   coalesce(sum(sign * seconds) FILTER (WHERE seconds >= 0), 0) AS seconds,
                   coalesce(sum(sign) FILTER (WHERE seconds >= 0), 0)::int AS n
            FROM changes GROUP BY 1, 2, 3""";

    /*
     * Incremental: a batch's views and likes move the first/last times and counts, and the posts and the view-to-like
     * sum and count move by what the batch changed in feed_user_posts ($10-$12, from FEED_POSTS). Counting the
     * user-day's feed_user_posts instead read a heavy reader's whole day again in every batch (bench/RESULTS.md, issue 15).
     */
    private static final String FEED = """
            INSERT INTO fact_daily_feed AS f (app_id, event_date, user_id, first_view_ts, last_view_ts, first_like_ts,
                last_like_ts, posts, views, likes, avg_time_between_views, avg_time_between_likes, avg_view_to_like_seconds,
                view_to_like_sum, view_to_like_count)
            SELECT d.app_id, d.event_date, d.user_id, d.first_view, d.last_view, d.first_like, d.last_like,
                   d.added, d.views, d.likes,
                   mean_gap_seconds(d.first_view, d.last_view, d.views),
                   mean_gap_seconds(d.first_like, d.last_like, d.likes),
                   (d.seconds / NULLIF(d.n, 0))::float8, d.seconds, d.n
            FROM unnest($1::text[], $2::date[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[],
                        $7::timestamptz[], $8::timestamptz[], $9::int[], $10::int[], $11::numeric[], $12::int[])
                AS d(app_id, event_date, user_id, first_view, last_view, views, first_like, last_like, likes, added, seconds, n)
            ON CONFLICT (app_id, event_date, user_id) DO UPDATE SET
                first_view_ts = least(f.first_view_ts, EXCLUDED.first_view_ts),
                last_view_ts = greatest(f.last_view_ts, EXCLUDED.last_view_ts),
                first_like_ts = least(f.first_like_ts, EXCLUDED.first_like_ts),
                last_like_ts = greatest(f.last_like_ts, EXCLUDED.last_like_ts),
                posts = f.posts + EXCLUDED.posts,
                views = f.views + EXCLUDED.views,
                likes = f.likes + EXCLUDED.likes,
                avg_time_between_views = mean_gap_seconds(least(f.first_view_ts, EXCLUDED.first_view_ts),
                    greatest(f.last_view_ts, EXCLUDED.last_view_ts), f.views + EXCLUDED.views),
                avg_time_between_likes = mean_gap_seconds(least(f.first_like_ts, EXCLUDED.first_like_ts),
                    greatest(f.last_like_ts, EXCLUDED.last_like_ts), f.likes + EXCLUDED.likes),
                view_to_like_sum = f.view_to_like_sum + EXCLUDED.view_to_like_sum,
                view_to_like_count = f.view_to_like_count + EXCLUDED.view_to_like_count,
                avg_view_to_like_seconds = ((f.view_to_like_sum + EXCLUDED.view_to_like_sum)
                    / NULLIF(f.view_to_like_count + EXCLUDED.view_to_like_count, 0))::float8""";

    /*
     * Incremental: a batch's messages move each side's first/last time and message count, and each side's distinct
     * users grow by the connections the batch's upsert of fact_user_connections inserted ($10, $11). Re-counting the
     * user-day's connections instead was the costliest statement of the write path (bench/RESULTS.md, issue 15): a
     * heavy sender's day was read again on every batch. A recompute or an erasure empties both tables' days together.
     */
    private static final String MESSENGER = """
            INSERT INTO fact_daily_messenger AS f (app_id, event_date, user_id, first_sent_ts, last_sent_ts, users_sent,
                messages_sent, first_received_ts, last_received_ts, users_received, messages_received,
                avg_time_between_sent, avg_time_between_received)
            SELECT d.app_id, d.event_date, d.user_id, d.first_sent, d.last_sent, d.new_receivers, d.sent,
                   d.first_received, d.last_received, d.new_senders, d.received,
                   mean_gap_seconds(d.first_sent, d.last_sent, d.sent),
                   mean_gap_seconds(d.first_received, d.last_received, d.received)
            FROM unnest($1::text[], $2::date[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[],
                        $7::timestamptz[], $8::timestamptz[], $9::int[], $10::int[], $11::int[])
                AS d(app_id, event_date, user_id, first_sent, last_sent, sent, first_received, last_received, received,
                     new_receivers, new_senders)
            ON CONFLICT (app_id, event_date, user_id) DO UPDATE SET
                first_sent_ts = least(f.first_sent_ts, EXCLUDED.first_sent_ts),
                last_sent_ts = greatest(f.last_sent_ts, EXCLUDED.last_sent_ts),
                users_sent = f.users_sent + EXCLUDED.users_sent,
                messages_sent = f.messages_sent + EXCLUDED.messages_sent,
                first_received_ts = least(f.first_received_ts, EXCLUDED.first_received_ts),
                last_received_ts = greatest(f.last_received_ts, EXCLUDED.last_received_ts),
                users_received = f.users_received + EXCLUDED.users_received,
                messages_received = f.messages_received + EXCLUDED.messages_received,
                avg_time_between_sent = mean_gap_seconds(least(f.first_sent_ts, EXCLUDED.first_sent_ts),
                    greatest(f.last_sent_ts, EXCLUDED.last_sent_ts), f.messages_sent + EXCLUDED.messages_sent),
                avg_time_between_received = mean_gap_seconds(least(f.first_received_ts, EXCLUDED.first_received_ts),
                    greatest(f.last_received_ts, EXCLUDED.last_received_ts), f.messages_received + EXCLUDED.messages_received)""";

    /** The views and likes new to the raw store. */
    public Uni<Void> applyFeed(SqlClient client, List<EnrichedEvent> fresh) {
        FeedDelta delta = FeedDelta.of(fresh);
        if (delta.days().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<UserPost> keys = List.copyOf(delta.posts().keySet());
        List<FeedActivity> posts = keys.stream().map(delta.posts()::get).toList();
        return client.preparedQuery(FEED_POSTS).execute(Tuple.from(new Object[] {
                        keys.stream().map(k -> k.day().appId()).toArray(String[]::new),
                        keys.stream().map(k -> k.day().date()).toArray(LocalDate[]::new),
                        keys.stream().map(k -> k.day().userId()).toArray(String[]::new),
                        keys.stream().map(UserPost::postId).toArray(Long[]::new),
                        posts.stream().map(p -> Sql.ts(p.views().first())).toArray(OffsetDateTime[]::new),
                        posts.stream().map(p -> Sql.ts(p.likes().first())).toArray(OffsetDateTime[]::new)}))
                .flatMap(changed -> {
                    // every user-day of the batch's feed events has a post, so a row here
                    Map<UserDay, Row> byDay = new HashMap<>();
                    changed.forEach(row -> byDay.put(new UserDay(row.getString("app_id"), row.getLocalDate("event_date"), row.getString("user_id")), row));
                    List<UserDay> days = List.copyOf(delta.days().keySet());
                    List<Object> arrays = new ArrayList<>(columns(days, delta.days(), FeedActivity::views, FeedActivity::likes));
                    arrays.add(days.stream().map(k -> byDay.get(k).getInteger("added")).toArray(Integer[]::new));
                    arrays.add(days.stream().map(k -> byDay.get(k).get(Numeric.class, "seconds")).toArray(Numeric[]::new));
                    arrays.add(days.stream().map(k -> byDay.get(k).getInteger("n")).toArray(Integer[]::new));
                    return client.preparedQuery(FEED).execute(Tuple.from(arrays));
                })
                .replaceWithVoid();
    }

    /** The messages new to the raw store, and the connections they added to fact_user_connections. */
    public Uni<Void> applyMessenger(SqlClient client, List<EnrichedEvent> fresh, NewConnections added) {
        Map<UserDay, Messages> days = MessengerDelta.of(fresh).days();
        if (days.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<UserDay> keys = List.copyOf(days.keySet());
        List<Object> arrays = new ArrayList<>(columns(keys, days, Messages::sent, Messages::received));
        arrays.add(keys.stream().map(k -> added.sent().getOrDefault(k, 0)).toArray(Integer[]::new));
        arrays.add(keys.stream().map(k -> added.received().getOrDefault(k, 0)).toArray(Integer[]::new));
        return client.preparedQuery(MESSENGER).execute(Tuple.from(arrays)).replaceWithVoid();
    }

    /** The parameter arrays of the user-days {@code keys}, in that order: key, then each side's first, last and count. */
    private static <T> List<Object> columns(List<UserDay> keys, Map<UserDay, T> days, Function<T, Activity> firstSide,
            Function<T, Activity> secondSide) {
        List<Activity> a = keys.stream().map(days::get).map(firstSide).toList();
        List<Activity> b = keys.stream().map(days::get).map(secondSide).toList();
        return List.of(
                keys.stream().map(UserDay::appId).toArray(String[]::new),
                keys.stream().map(UserDay::date).toArray(LocalDate[]::new),
                keys.stream().map(UserDay::userId).toArray(String[]::new),
                a.stream().map(d -> Sql.ts(d.first())).toArray(OffsetDateTime[]::new),
                a.stream().map(d -> Sql.ts(d.last())).toArray(OffsetDateTime[]::new),
                a.stream().map(Activity::count).toArray(Integer[]::new),
                b.stream().map(d -> Sql.ts(d.first())).toArray(OffsetDateTime[]::new),
                b.stream().map(d -> Sql.ts(d.last())).toArray(OffsetDateTime[]::new),
                b.stream().map(Activity::count).toArray(Integer[]::new));
    }
}
