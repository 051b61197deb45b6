-- Per user, day and post: the first view and the first like. fact_daily_feed is kept incrementally from it
-- (distinct posts, view-to-like average) instead of being recomputed from the raw store per touched user-day.
CREATE TABLE feed_user_posts (
    app_id        text        NOT NULL,
    event_date    date        NOT NULL,
    user_id       text        NOT NULL,
    post_id       bigint      NOT NULL,
    first_view_ts timestamptz,
    first_like_ts timestamptz,
    PRIMARY KEY (app_id, event_date, user_id, post_id)
);
INSERT INTO feed_user_posts
SELECT app_id, event_date, user_id, post_id, min(event_ts) FILTER (WHERE event = 'feed.view'),
       min(event_ts) FILTER (WHERE event = 'feed.like')
FROM events WHERE event IN ('feed.view', 'feed.like') AND post_id IS NOT NULL
GROUP BY 1, 2, 3, 4;
