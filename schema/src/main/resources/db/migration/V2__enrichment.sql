-- enrich-service: dedup memory that survives restarts and is shared by every instance. The source
-- position tells a redelivery of the same record (emit again: its earlier output was never committed)
-- from a client resend (a duplicate).
CREATE TABLE enrich_dedup (
    app_id           text        NOT NULL,
    event_id         uuid        NOT NULL,
    source_partition int         NOT NULL,
    source_offset    bigint      NOT NULL,
    seen_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, event_id)
);
CREATE INDEX enrich_dedup_seen_at ON enrich_dedup (seen_at);

-- SPEC §4 dim_users, SCD type 2: one row per version of a user's traits.
CREATE TABLE dim_users (
    app_id     text        NOT NULL,
    user_id    text        NOT NULL,
    gender     smallint,
    age        smallint,
    os         text,
    source     text,
    country    text,
    city       text,
    exp_group  int,
    version    int         NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to   timestamptz,
    is_current boolean     NOT NULL,
    PRIMARY KEY (app_id, user_id, version)
);
CREATE UNIQUE INDEX dim_users_current ON dim_users (app_id, user_id) WHERE is_current;
