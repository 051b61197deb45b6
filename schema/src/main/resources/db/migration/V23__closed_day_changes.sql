-- Issue 15: a late event invalidates the cached answers that read its day, not every answer of the app.
-- aggregate-service bumps a day's counter (in the transaction that stores the late events) for the event's day and
-- for the user's first days it moves (new users of the old first day change too). query-api caches an answer
-- under the sum of the counters of the days it reads (28 days before its range for the rolling metrics), which
-- only grows: rows are never deleted. App-wide changes (recompute, erasure, retention) still bump
-- closed_day_versions.
CREATE TABLE closed_day_changes (
    app_id     text   NOT NULL,
    event_date date   NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (app_id, event_date)
);
