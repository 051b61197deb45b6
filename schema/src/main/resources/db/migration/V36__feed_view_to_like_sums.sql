-- Issue 15: fact_daily_feed's posts and view-to-like average were counted again from the user-day's feed_user_posts
-- rows in every batch with one of its feed events, so a heavy reader's day cost all its posts per batch, more as the
-- day went on. They now move by the batch's change of those rows, as fact_daily_posts' average does (V20): the posts
-- by the rows the batch added, the average from an exact numeric sum and a count.
ALTER TABLE fact_daily_feed
    ADD COLUMN view_to_like_sum   numeric NOT NULL DEFAULT 0,
    ADD COLUMN view_to_like_count int     NOT NULL DEFAULT 0;

UPDATE fact_daily_feed f
SET view_to_like_sum = s.total, view_to_like_count = s.n
FROM (SELECT app_id, event_date, user_id, sum(extract(epoch FROM first_like_ts - first_view_ts)) AS total, count(*) AS n
      FROM feed_user_posts WHERE first_like_ts >= first_view_ts GROUP BY 1, 2, 3) s
WHERE f.app_id = s.app_id AND f.event_date = s.event_date AND f.user_id = s.user_id;
