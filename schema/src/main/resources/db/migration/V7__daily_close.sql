-- Written once per app and app-local day by aggregate-service's daily close, after the day has ended in the
-- app's timezone: the day's data quality as it stood at close, and whether the incremental facts agreed with
-- the raw store (when they did not, the close rebuilt the day from the raw store and says so).
CREATE TABLE quality_snapshot_daily (
    app_id                text             NOT NULL,
    event_date            date             NOT NULL,
    closed_at             timestamptz      NOT NULL DEFAULT now(),
    accepted              bigint           NOT NULL,
    active_users          bigint           NOT NULL,
    rejected              bigint           NOT NULL,
    rejected_by_reason    jsonb            NOT NULL,
    duplicates            bigint           NOT NULL,
    late                  bigint           NOT NULL,
    clock_clamped         bigint           NOT NULL,
    validation_rate       double precision,
    freshness_p50_seconds double precision,
    freshness_p99_seconds double precision,
    -- share of accepted events whose enrichment found all it looked up: the device, and the content metadata
    -- where the event names content
    completeness          double precision,
    facts_consistent      boolean          NOT NULL,
    repaired              boolean          NOT NULL,
    PRIMARY KEY (app_id, event_date)
);
