-- Issue 15: the per-user daily rollup keyed by the event-side dimensions of SPEC §6 too (event:name, event:category,
-- device, page:host, content:type), so that breakdowns and filters on them read state that grows with users x days x
-- distinct values, not with events. Kept by aggregate-service in the batch's transaction, like fact_user_daily, with
-- the same counters (they add up across rows; a row is a user seen in its group). post:id and content:id are not
-- here: one row per user-day and post is about one row per event.
CREATE TABLE fact_user_event_daily (
    app_id             text             NOT NULL,
    event_date         date             NOT NULL,
    user_id            text             NOT NULL,
    event              text             NOT NULL,
    category           text             NOT NULL,
    device             text,
    host               text,
    content_type       text,
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
-- The row's key besides app, day and user, as one digest: the columns themselves can hold ~3 KB of accepted text
-- (user traits, a 253-character host, multi-byte characters), over the 2,704 bytes a btree entry may have.
-- quote_nullable keeps NULL apart from 'NULL' and each value apart from its neighbours.
CREATE FUNCTION fact_user_event_daily_side(event text, category text, device text, host text, content_type text, gender smallint,
                                           age smallint, user_os text, source text, country text, city text, exp_group int)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(quote_nullable(event) || quote_nullable(category) || quote_nullable(device) || quote_nullable(host)
               || quote_nullable(content_type) || quote_nullable(gender::text) || quote_nullable(age::text) || quote_nullable(user_os)
               || quote_nullable(source) || quote_nullable(country) || quote_nullable(city) || quote_nullable(exp_group::text))
$$;
CREATE UNIQUE INDEX fact_user_event_daily_key ON fact_user_event_daily (app_id, event_date, user_id,
    fact_user_event_daily_side(event, category, device, host, content_type, gender, age, user_os, source, country, city, exp_group));

-- One app's rows from its raw store, as aggregate-service keeps them, under the app's lock (the caller holds it).
CREATE FUNCTION fact_user_event_daily_build(p_app text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM fact_user_event_daily WHERE app_id = p_app;
    INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, device, host, content_type, gender, age, user_os,
                                       source, country, city, exp_group, events, views, likes, messages, signups, purchases, revenue,
                                       page_views, plays, engagement_seconds, pct_sum, pct_count)
    SELECT app_id, event_date, user_id, event, category, device, host, content_type, gender, age, user_os, source, country, city, exp_group,
           count(*), count(*) FILTER (WHERE event = 'feed.view'), count(*) FILTER (WHERE event = 'feed.like'),
           count(*) FILTER (WHERE event = 'message.sent'), count(*) FILTER (WHERE event = 'signup'),
           count(*) FILTER (WHERE event = 'purchase'), coalesce(sum(revenue) FILTER (WHERE event = 'purchase'), 0),
           count(*) FILTER (WHERE event = 'page_view'), count(*) FILTER (WHERE event = 'content.engagement' AND action = 'play'),
           coalesce(sum(engagement_seconds), 0), coalesce(sum(engagement_pct), 0), count(engagement_pct)
    FROM events WHERE app_id = p_app
    GROUP BY app_id, event_date, user_id, event, category, device, host, content_type, gender, age, user_os, source, country, city, exp_group;
$$;

-- fact_user_daily is the same rows summed over the event-side columns: one definition of the counters for both.
CREATE OR REPLACE FUNCTION fact_user_daily_rebuild(p_app text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse-app:' || p_app, 0));
    PERFORM fact_user_event_daily_build(p_app);
    DELETE FROM fact_user_daily WHERE app_id = p_app;
    INSERT INTO fact_user_daily (app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group, events, views,
                                 likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
    SELECT app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group, sum(events), sum(views), sum(likes),
           sum(messages), sum(signups), sum(purchases), sum(revenue), sum(page_views), sum(plays), sum(engagement_seconds), sum(pct_sum),
           sum(pct_count)
    FROM fact_user_event_daily WHERE app_id = p_app
    GROUP BY app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group;
    PERFORM user_day_sessions_rebuild(p_app);
    RETURN (SELECT count(*) FROM fact_user_daily WHERE app_id = p_app);
END $$;

-- Backfill: every app's rows from its raw store, once, in this migration. No app lock: the table exists for no
-- other session until this transaction commits, so nothing else writes it meanwhile (and holding one lock per app
-- to the end would outgrow the lock table with thousands of apps). Events an aggregate-service of the previous
-- release stores after this snapshot are not in it: README, "Upgrading", says how to find and rebuild those days.
DO $$
DECLARE
    app text;
BEGIN
    FOR app IN SELECT app_id FROM apps ORDER BY app_id LOOP
        PERFORM fact_user_event_daily_build(app);
    END LOOP;
END $$;
