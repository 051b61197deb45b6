-- V39's rebuild joined the per-post aggregate to a second per-post aggregate of the view-to-like times; the planner
-- could run that join as a nested loop that recomputed the second aggregate for every post (QueryDefaultCapIT hung
-- for more than 20 minutes in CI). Both now come from one pass: per day, post and user first, then per day and post.
-- Same columns, same figures as V39 (AggregationIT compares them with aggregate's incremental rows).
CREATE OR REPLACE FUNCTION post_and_connection_facts_rebuild(p_app text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse-app:' || p_app, 0));
    DELETE FROM fact_daily_posts f USING (SELECT DISTINCT event_date FROM events WHERE app_id = p_app) d
    WHERE f.app_id = p_app AND f.event_date = d.event_date;
    DELETE FROM fact_user_connections f USING (SELECT DISTINCT event_date FROM events WHERE app_id = p_app) d
    WHERE f.app_id = p_app AND f.event_date = d.event_date;
    INSERT INTO fact_daily_posts (app_id, event_date, post_id, first_action_ts, last_action_ts, views, likes, unique_viewers, unique_likers,
                                  avg_time_between_views, avg_time_between_likes, first_view_ts, last_view_ts, first_like_ts, last_like_ts,
                                  avg_view_to_like_seconds, view_to_like_sum, view_to_like_count)
    SELECT p_app, event_date, post_id, first_action_ts, last_action_ts, views, likes, unique_viewers, unique_likers,
           mean_gap_seconds(first_view_ts, last_view_ts, views), mean_gap_seconds(first_like_ts, last_like_ts, likes),
           first_view_ts, last_view_ts, first_like_ts, last_like_ts,
           (view_to_like_sum / NULLIF(view_to_like_count, 0))::float8, view_to_like_sum, view_to_like_count
    FROM (SELECT event_date, post_id, min(first_ts) AS first_action_ts, max(last_ts) AS last_action_ts,
                 sum(views)::int AS views, sum(likes)::int AS likes,
                 count(*) FILTER (WHERE views > 0)::int AS unique_viewers, count(*) FILTER (WHERE likes > 0)::int AS unique_likers,
                 min(first_view) AS first_view_ts, max(last_view) AS last_view_ts,
                 min(first_like) AS first_like_ts, max(last_like) AS last_like_ts,
                 -- V20's figure: per user who liked the post that day, the first like minus the first view, where the like is not earlier
                 coalesce(sum(extract(epoch FROM first_like - first_view)) FILTER (WHERE first_like >= first_view), 0) AS view_to_like_sum,
                 count(*) FILTER (WHERE first_like >= first_view)::int AS view_to_like_count
          FROM (SELECT event_date, post_id, user_id, min(event_ts) AS first_ts, max(event_ts) AS last_ts,
                       count(*) FILTER (WHERE event = 'feed.view') AS views, count(*) FILTER (WHERE event = 'feed.like') AS likes,
                       min(event_ts) FILTER (WHERE event = 'feed.view') AS first_view, max(event_ts) FILTER (WHERE event = 'feed.view') AS last_view,
                       min(event_ts) FILTER (WHERE event = 'feed.like') AS first_like, max(event_ts) FILTER (WHERE event = 'feed.like') AS last_like
                FROM events WHERE app_id = p_app AND post_id IS NOT NULL GROUP BY 1, 2, 3) u
          GROUP BY 1, 2) p;
    INSERT INTO fact_user_connections (app_id, event_date, sender_id, receiver_id, messages_count)
    SELECT app_id, event_date, user_id, receiver_id, count(*) FROM events WHERE app_id = p_app AND event = 'message.sent' AND receiver_id IS NOT NULL
    GROUP BY 1, 2, 3, 4;
END $$;
