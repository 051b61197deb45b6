-- Issue 18: who played a content item on a day, so GET /v1/content/{id} counts unique players per day and over a
-- range exactly. aggregate-service inserts a row per new (content, day, user) with a play; keyed for that read, with
-- an index by day for the day resets, retention and erasure.
CREATE TABLE content_daily_players (
    app_id     text NOT NULL,
    content_id text NOT NULL,
    event_date date NOT NULL,
    user_id    text NOT NULL,
    PRIMARY KEY (app_id, content_id, event_date, user_id)
);
CREATE INDEX content_daily_players_day ON content_daily_players (app_id, event_date);

INSERT INTO content_daily_players
SELECT DISTINCT app_id, content_id, event_date, user_id FROM events
WHERE event = 'content.engagement' AND action = 'play' AND content_id IS NOT NULL;
