-- Issue 15: a daily series of posts, receivers and connections without filters is answered from fact_daily_posts
-- (a row per day and post) and fact_user_connections (per day, sender and receiver): 47k and 114k rows at 1M events,
-- against 852k rows of the event rollup (bench/RESULTS.md). Loads that bypass aggregate-service (the benchmark's COPY,
-- query-api's test fixtures) build both from the raw store with this function, as fact_user_daily_rebuild builds the
-- rollups: every column as aggregate's incremental statements leave it (AggregationIT compares the two). For fresh
-- loads only: it does not rebuild the tables later batches' counters depend on (post_daily_users, feed_user_posts,
-- fact_daily_messenger) nor bump the closed-day versions query-api caches under; an operator rebuilds facts with
-- aggregate's recompute API. Only days with stored events are rebuilt: fact_daily_posts keeps the days retention took
-- the events of.
CREATE FUNCTION post_and_connection_facts_rebuild(p_app text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse-app:' || p_app, 0));
    DELETE FROM fact_daily_posts f USING (SELECT DISTINCT event_date FROM events WHERE app_id = p_app) d
    WHERE f.app_id = p_app AND f.event_date = d.event_date;
    DELETE FROM fact_user_connections f USING (SELECT DISTINCT event_date FROM events WHERE app_id = p_app) d
    WHERE f.app_id = p_app AND f.event_date = d.event_date;
    INSERT INTO fact_daily_posts (app_id, event_date, post_id, first_action_ts, last_action_ts, views, likes, unique_viewers, unique_likers,
                                  avg_time_between_views, avg_time_between_likes, first_view_ts, last_view_ts, first_like_ts, last_like_ts,
                                  avg_view_to_like_seconds, view_to_like_sum, view_to_like_count)
    SELECT p.app_id, p.event_date, p.post_id, p.first_action_ts, p.last_action_ts, p.views, p.likes, p.unique_viewers, p.unique_likers,
           mean_gap_seconds(p.first_view_ts, p.last_view_ts, p.views), mean_gap_seconds(p.first_like_ts, p.last_like_ts, p.likes),
           p.first_view_ts, p.last_view_ts, p.first_like_ts, p.last_like_ts,
           (coalesce(l.total, 0) / NULLIF(coalesce(l.n, 0), 0))::float8, coalesce(l.total, 0), coalesce(l.n, 0)
    FROM (SELECT app_id, event_date, post_id, min(event_ts) AS first_action_ts, max(event_ts) AS last_action_ts,
                 count(*) FILTER (WHERE event = 'feed.view') AS views, count(*) FILTER (WHERE event = 'feed.like') AS likes,
                 count(DISTINCT user_id) FILTER (WHERE event = 'feed.view') AS unique_viewers,
                 count(DISTINCT user_id) FILTER (WHERE event = 'feed.like') AS unique_likers,
                 min(event_ts) FILTER (WHERE event = 'feed.view') AS first_view_ts, max(event_ts) FILTER (WHERE event = 'feed.view') AS last_view_ts,
                 min(event_ts) FILTER (WHERE event = 'feed.like') AS first_like_ts, max(event_ts) FILTER (WHERE event = 'feed.like') AS last_like_ts
          FROM events WHERE app_id = p_app AND post_id IS NOT NULL GROUP BY 1, 2, 3) p
    -- V20's figure: per user who liked the post that day, the first like minus the first view, where the like is not earlier
    LEFT JOIN (SELECT event_date, post_id, sum(extract(epoch FROM first_like - first_view)) AS total, count(*) AS n
               FROM (SELECT event_date, post_id, user_id, min(event_ts) FILTER (WHERE event = 'feed.view') AS first_view,
                            min(event_ts) FILTER (WHERE event = 'feed.like') AS first_like
                     FROM events WHERE app_id = p_app AND post_id IS NOT NULL GROUP BY 1, 2, 3) u
               WHERE first_like >= first_view GROUP BY 1, 2) l ON l.event_date = p.event_date AND l.post_id = p.post_id;
    INSERT INTO fact_user_connections (app_id, event_date, sender_id, receiver_id, messages_count)
    SELECT app_id, event_date, user_id, receiver_id, count(*) FROM events WHERE app_id = p_app AND event = 'message.sent' AND receiver_id IS NOT NULL
    GROUP BY 1, 2, 3, 4;
END $$;
