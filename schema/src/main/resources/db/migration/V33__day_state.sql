-- Issue 15: cold answers from compact per-day state. A first answer over 30 closed days read every (group, user) row
-- of the rollups and moved them to query-api; distinct users over several days do not add up, so nothing smaller
-- was kept. Now aggregate-service keeps, per closed app-day and dimension value, the value's users as a roaring
-- bitmap of user ordinals (users who viewed, liked, sent, paid, had a session, each as its own bitmap) with the
-- value's sums; query-api ORs them across days (DayStateDimension lists the dimensions; README "Day state").

-- A small integer per user of an app, given by aggregate's day-state job when it first meets the user; the app's
-- counter only grows, so an ordinal erased or dropped by retention is never given to another user.
CREATE TABLE user_ordinals (
    app_id  text NOT NULL,
    user_id text NOT NULL,
    ordinal int  NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
CREATE UNIQUE INDEX user_ordinals_ordinal ON user_ordinals (app_id, ordinal);
CREATE TABLE user_ordinal_counters (
    app_id text PRIMARY KEY,
    given  int  NOT NULL
);

-- One row per built app-day: the versions it was built under (closed_day_versions, closed_day_changes; it answers
-- while both are unchanged), the ordinals of the users whose first day it is, and whether its values are kept (not
-- for a day with more distinct values than the job holds: query-api reads that day from the rollups). A day is built
-- once more an hour after it ended, for a batch that checked the day before midnight and committed after the build.
CREATE TABLE day_state (
    app_id      text        NOT NULL,
    event_date  date        NOT NULL,
    app_version bigint      NOT NULL,
    day_version bigint      NOT NULL,
    first_users bytea       NOT NULL,
    held        boolean     NOT NULL,
    built_at    timestamptz NOT NULL,
    PRIMARY KEY (app_id, event_date)
);

-- Per built app-day, dimension ('' for the day's total) and value (the dimension's expression as text, as filters
-- compare it): its users and its rollup sums. Rows of a day are replaced together with its day_state row.
CREATE TABLE day_values (
    app_id             text             NOT NULL,
    event_date         date             NOT NULL,
    dimension          text             NOT NULL,
    value              text,
    users              bytea            NOT NULL,
    viewers            bytea            NOT NULL,
    likers             bytea            NOT NULL,
    senders            bytea            NOT NULL,
    payers             bytea            NOT NULL,
    session_users      bytea            NOT NULL,
    events             bigint           NOT NULL,
    views              bigint           NOT NULL,
    likes              bigint           NOT NULL,
    messages           bigint           NOT NULL,
    signups            bigint           NOT NULL,
    purchases          bigint           NOT NULL,
    revenue            numeric          NOT NULL,
    page_views         bigint           NOT NULL,
    plays              bigint           NOT NULL,
    engagement_seconds double precision NOT NULL,
    pct_sum            double precision NOT NULL,
    pct_count          bigint           NOT NULL,
    sessions           bigint           NOT NULL,
    session_seconds    numeric          NOT NULL,
    bounces            bigint           NOT NULL
);
CREATE INDEX day_values_key ON day_values (app_id, event_date, dimension);
