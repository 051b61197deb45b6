-- SPEC §4 star schema. Every fact row is a pure function of the raw store rows of its key, so the
-- incremental path and recompute/backfill run the same statements.

CREATE TABLE fact_daily_feed (
    app_id                   text        NOT NULL,
    event_date               date        NOT NULL,
    user_id                  text        NOT NULL,
    first_view_ts            timestamptz,
    last_view_ts             timestamptz,
    first_like_ts            timestamptz,
    last_like_ts             timestamptz,
    posts                    int         NOT NULL,
    views                    int         NOT NULL,
    likes                    int         NOT NULL,
    avg_time_between_views   double precision,
    avg_time_between_likes   double precision,
    avg_view_to_like_seconds double precision,
    PRIMARY KEY (app_id, event_date, user_id)
);

CREATE TABLE fact_daily_posts (
    app_id                 text        NOT NULL,
    event_date             date        NOT NULL,
    post_id                bigint      NOT NULL,
    first_action_ts        timestamptz NOT NULL,
    last_action_ts         timestamptz NOT NULL,
    views                  int         NOT NULL,
    likes                  int         NOT NULL,
    unique_viewers         int         NOT NULL,
    unique_likers          int         NOT NULL,
    avg_time_between_views double precision,
    avg_time_between_likes double precision,
    -- kept so the averages above can be maintained incrementally: (last - first) / (n - 1)
    first_view_ts          timestamptz,
    last_view_ts           timestamptz,
    first_like_ts          timestamptz,
    last_like_ts           timestamptz,
    PRIMARY KEY (app_id, event_date, post_id)
);

-- who viewed / liked a post on a day: makes unique_viewers and unique_likers exact and incremental
CREATE TABLE post_daily_users (
    app_id     text   NOT NULL,
    event_date date   NOT NULL,
    post_id    bigint NOT NULL,
    kind       char(1) NOT NULL, -- v = viewed, l = liked
    user_id    text   NOT NULL,
    PRIMARY KEY (app_id, event_date, post_id, kind, user_id)
);

CREATE TABLE fact_daily_messenger (
    app_id                     text    NOT NULL,
    event_date                 date    NOT NULL,
    user_id                    text    NOT NULL,
    first_sent_ts              timestamptz,
    last_sent_ts               timestamptz,
    users_sent                 int     NOT NULL,
    messages_sent              int     NOT NULL,
    first_received_ts          timestamptz,
    last_received_ts           timestamptz,
    users_received             int     NOT NULL,
    messages_received          int     NOT NULL,
    avg_time_between_sent      double precision,
    avg_time_between_received  double precision,
    PRIMARY KEY (app_id, event_date, user_id)
);

CREATE TABLE fact_user_connections (
    app_id         text NOT NULL,
    event_date     date NOT NULL,
    sender_id      text NOT NULL,
    receiver_id    text NOT NULL,
    messages_count int  NOT NULL,
    PRIMARY KEY (app_id, event_date, sender_id, receiver_id)
);

CREATE TABLE fact_content_engagement_daily (
    app_id             text             NOT NULL,
    event_date         date             NOT NULL,
    content_id         text             NOT NULL,
    device             text             NOT NULL,
    events             int              NOT NULL,
    plays              int              NOT NULL,
    engagement_seconds double precision NOT NULL,
    avg_engagement_pct double precision,
    engagement_pct_sum   double precision NOT NULL DEFAULT 0,
    engagement_pct_count int              NOT NULL DEFAULT 0,
    PRIMARY KEY (app_id, event_date, content_id, device)
);

CREATE TABLE dim_content (
    app_id         text        NOT NULL,
    content_id     text        NOT NULL,
    title          text,
    content_type   text,
    length_seconds int,
    publish_ts     timestamptz,
    -- position in catalog.content: an instance replaying the topic never overwrites a newer version
    source_partition int       NOT NULL,
    source_offset  bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, content_id)
);

CREATE TABLE dim_dates (
    date_key     date PRIMARY KEY,
    year         int  NOT NULL,
    quarter      int  NOT NULL,
    month        int  NOT NULL,
    day_of_month int  NOT NULL,
    day_of_week  int  NOT NULL, -- ISO: 1 = Monday
    week_start   date NOT NULL,
    month_start  date NOT NULL,
    is_weekend   boolean NOT NULL
);
INSERT INTO dim_dates
SELECT d, extract(year FROM d), extract(quarter FROM d), extract(month FROM d), extract(day FROM d),
       extract(isodow FROM d), date_trunc('week', d)::date, date_trunc('month', d)::date,
       extract(isodow FROM d) IN (6, 7)
FROM generate_series(date '2015-01-01', date '2045-12-31', interval '1 day') AS g(d);

-- cumulative tables (after the seed projects): sorted distinct active dates
CREATE TABLE user_devices_cumulated (
    app_id       text   NOT NULL,
    user_id      text   NOT NULL,
    device       text   NOT NULL,
    browser      text   NOT NULL,
    dates_active date[] NOT NULL,
    PRIMARY KEY (app_id, user_id, device, browser)
);

CREATE TABLE hosts_cumulated (
    app_id       text   NOT NULL,
    host         text   NOT NULL,
    month_start  date   NOT NULL,
    dates_active date[] NOT NULL,
    PRIMARY KEY (app_id, host, month_start)
);

-- element i (1-based) is day i of the month
CREATE TABLE host_activity_reduced (
    app_id                text     NOT NULL,
    host                  text     NOT NULL,
    month_start           date     NOT NULL,
    hit_array             bigint[] NOT NULL,
    unique_visitors_array bigint[] NOT NULL,
    PRIMARY KEY (app_id, host, month_start)
);

-- who visited a host on a day: makes unique_visitors_array exact and incremental
CREATE TABLE host_daily_visitors (
    app_id     text NOT NULL,
    host       text NOT NULL,
    event_date date NOT NULL,
    user_id    text NOT NULL,
    PRIMARY KEY (app_id, host, event_date, user_id)
);

-- per-app, per-day processing counters for SPEC §6 /v1/quality
CREATE TABLE quality_daily (
    app_id     text   NOT NULL,
    event_date date   NOT NULL,
    accepted   bigint NOT NULL DEFAULT 0,
    duplicates bigint NOT NULL DEFAULT 0,
    late       bigint NOT NULL DEFAULT 0,
    clamped    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (app_id, event_date)
);

-- every record of events.invalid, once (keyed by its position there): rejected counts by reason
CREATE TABLE invalid_events (
    source_partition int         NOT NULL,
    source_offset    bigint      NOT NULL,
    app_id           text,
    reason           text        NOT NULL,
    error            text,
    payload          text,
    rejected_at      timestamptz NOT NULL,
    PRIMARY KEY (source_partition, source_offset)
);
CREATE INDEX invalid_events_app ON invalid_events (app_id, rejected_at);
