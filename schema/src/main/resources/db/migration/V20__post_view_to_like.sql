-- Issue 18: a post's average view-to-like time per day, as fact_daily_feed has it per user (002 has both): over the
-- users who liked the post that day, their first like minus their first view, where the like is not before the
-- view. Kept incrementally by aggregate-service from feed_user_posts' changes: an exact numeric sum and a count.
ALTER TABLE fact_daily_posts
    ADD COLUMN avg_view_to_like_seconds double precision,
    ADD COLUMN view_to_like_sum   numeric NOT NULL DEFAULT 0,
    ADD COLUMN view_to_like_count int     NOT NULL DEFAULT 0;

UPDATE fact_daily_posts p
SET view_to_like_sum = s.total, view_to_like_count = s.n, avg_view_to_like_seconds = (s.total / s.n)::float8
FROM (SELECT app_id, event_date, post_id, sum(extract(epoch FROM first_like_ts - first_view_ts)) AS total, count(*) AS n
      FROM feed_user_posts WHERE first_like_ts >= first_view_ts GROUP BY 1, 2, 3) s
WHERE p.app_id = s.app_id AND p.event_date = s.event_date AND p.post_id = s.post_id;
