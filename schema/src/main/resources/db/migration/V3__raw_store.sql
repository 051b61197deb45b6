-- SPEC §4 raw store: every accepted, deduplicated, enriched event, partitioned by its app-local day.
-- The primary key is the dedup guard of aggregation: a replayed record inserts nothing and so changes no fact.
CREATE TABLE events (
    app_id             text        NOT NULL,
    event_date         date        NOT NULL,
    event_id           uuid        NOT NULL,
    event_ts           timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    stored_at          timestamptz NOT NULL DEFAULT now(),
    event              text        NOT NULL,
    category           text        NOT NULL,
    user_id            text        NOT NULL,
    session_id         text,
    post_id            bigint,
    receiver_id        text,
    content_id         text,
    action             text,
    duration_ms        bigint,
    revenue            numeric,
    currency           text,
    gender             smallint,
    age                smallint,
    user_os            text,
    source             text,
    country            text,
    city               text,
    exp_group          int,
    device             text,
    os                 text,
    browser            text,
    host               text,
    url                text,
    referrer           text,
    content_title      text,
    content_type       text,
    length_seconds     int,
    engagement_seconds double precision,
    engagement_pct     double precision,
    clock_clamped      boolean     NOT NULL DEFAULT false,
    late               boolean     NOT NULL DEFAULT false,
    properties         jsonb,
    PRIMARY KEY (app_id, event_date, event_id)
) PARTITION BY RANGE (event_date);

-- backfill older than the partitions kept ahead lands here
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE INDEX events_user ON events (app_id, event_date, user_id);
CREATE INDEX events_post ON events (app_id, event_date, post_id) WHERE post_id IS NOT NULL;
CREATE INDEX events_content ON events (app_id, event_date, content_id) WHERE content_id IS NOT NULL;
CREATE INDEX events_host ON events (app_id, event_date, host) WHERE host IS NOT NULL;
CREATE INDEX events_receiver ON events (app_id, event_date, receiver_id) WHERE receiver_id IS NOT NULL;
CREATE INDEX events_time ON events (app_id, event_ts);

-- first day a user was ever seen (new users, retention cohorts); late events can move it earlier
CREATE TABLE user_first_seen (
    app_id     text        NOT NULL,
    user_id    text        NOT NULL,
    first_date date        NOT NULL,
    first_ts   timestamptz NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
CREATE INDEX user_first_seen_date ON user_first_seen (app_id, first_date);
