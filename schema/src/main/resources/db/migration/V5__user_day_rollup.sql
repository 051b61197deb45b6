-- Per app, day, user and the traits attached to the user's events: the rollup that answers the user- and
-- time-dimensioned metrics without reading every event. Maintained with the raw store, in its transaction.
-- A user whose traits change within a day has one row per traits version (SPEC §3 "traits in breakdowns").
CREATE TABLE fact_user_daily (
    app_id             text             NOT NULL,
    event_date         date             NOT NULL,
    user_id            text             NOT NULL,
    gender             smallint,
    age                smallint,
    user_os            text,
    source             text,
    country            text,
    city               text,
    exp_group          int,
    events             int              NOT NULL,
    views              int              NOT NULL,
    likes              int              NOT NULL,
    messages           int              NOT NULL,
    signups            int              NOT NULL,
    purchases          int              NOT NULL,
    revenue            numeric          NOT NULL,
    page_views         int              NOT NULL,
    plays              int              NOT NULL,
    engagement_seconds double precision NOT NULL,
    pct_sum            double precision NOT NULL,
    pct_count          int              NOT NULL
);
CREATE UNIQUE INDEX fact_user_daily_key ON fact_user_daily
    (app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group) NULLS NOT DISTINCT;
