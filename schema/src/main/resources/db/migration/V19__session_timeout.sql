-- Issue 18: sessions. ingest-service: how long a user may be inactive before their next event without a
-- session_id starts a new session (PUT /v1/admin/apps/{app}/sessions). query-api reads it with the app.
-- At most a day: sessions end at midnight in the app's timezone anyway.
ALTER TABLE apps ADD COLUMN session_timeout_seconds int NOT NULL DEFAULT 1800
    CHECK (session_timeout_seconds BETWEEN 60 AND 86400);
