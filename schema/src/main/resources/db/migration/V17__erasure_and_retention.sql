-- Issue 20: per-user erasure and per-app retention. Each table has one writing service; the others only read it.

-- ingest-service: how long an app's raw events, invalid events and per-user facts are kept (NULL: as long as the
-- raw-store partitions, PULSE_AGGREGATE_PARTITIONS_RETENTION_DAYS). aggregate-service reads it for its retention job.
ALTER TABLE apps ADD COLUMN retention_days int CHECK (retention_days BETWEEN 1 AND 3650);

-- ingest-service: the audit record of each erasure request. No personal data: the user is kept as a SHA-256 of
-- app and user id, the requester as a fingerprint of the admin token it used.
CREATE TABLE erasure_requests (
    erasure_id   uuid        PRIMARY KEY,
    app_id       text        NOT NULL REFERENCES apps (app_id),
    user_hash    text        NOT NULL,
    requested_by text        NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX erasure_requests_app ON erasure_requests (app_id, requested_at);

-- enrich-service and aggregate-service: one row each once their part of an erasure is committed, written in the
-- transaction that deleted the rows (so a redelivered command finds it and does nothing), with the rows deleted
-- per table. ingest-service reads both for the status endpoint.
CREATE TABLE enrich_erasures (
    erasure_id   uuid        PRIMARY KEY,
    app_id       text        NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    deleted_rows jsonb       NOT NULL
);
CREATE TABLE aggregate_erasures (
    erasure_id   uuid        PRIMARY KEY,
    app_id       text        NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    deleted_rows jsonb       NOT NULL
);
