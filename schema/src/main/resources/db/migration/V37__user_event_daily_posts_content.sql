-- Issue 15: breakdowns and filters by post:id and content:id were the only SPEC §6 dimensions answered from the raw
-- store (seconds to tens of seconds at 10M events). fact_user_event_daily now keys its rows by the event's post and
-- content id too, so they are event-side dimensions like page:host, and the day state keeps their values (README
-- "Day state"). Feed and content events of a user-day now take a row per post or content item instead of one.
ALTER TABLE fact_user_event_daily
    ADD COLUMN post_id    bigint,
    ADD COLUMN content_id text;

-- V30's key with the two ids; the old function goes with its index. Reads and writes of the table wait for the build.
DROP INDEX fact_user_event_daily_key;
DROP FUNCTION fact_user_event_daily_side(text, text, text, text, text, smallint, smallint, text, text, text, text, int);
CREATE FUNCTION fact_user_event_daily_side(event text, category text, device text, host text, content_type text, post_id bigint,
                                           content_id text, gender smallint, age smallint, user_os text, source text, country text,
                                           city text, exp_group int)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(quote_nullable(event) || ',' || quote_nullable(category) || ',' || quote_nullable(device) || ','
               || quote_nullable(host) || ',' || quote_nullable(content_type) || ',' || quote_nullable(post_id::text) || ','
               || quote_nullable(content_id) || ',' || quote_nullable(gender::text) || ','
               || quote_nullable(age::text) || ',' || quote_nullable(user_os) || ',' || quote_nullable(source) || ','
               || quote_nullable(country) || ',' || quote_nullable(city) || ',' || quote_nullable(exp_group::text))
$$;

-- V28's build of one app's rows from its raw store, with the two ids.
CREATE OR REPLACE FUNCTION fact_user_event_daily_build(p_app text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM fact_user_event_daily WHERE app_id = p_app;
    INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id,
                                       gender, age, user_os, source, country, city, exp_group, events, views, likes, messages, signups,
                                       purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
    SELECT app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id, gender, age, user_os, source,
           country, city, exp_group,
           count(*), count(*) FILTER (WHERE event = 'feed.view'), count(*) FILTER (WHERE event = 'feed.like'),
           count(*) FILTER (WHERE event = 'message.sent'), count(*) FILTER (WHERE event = 'signup'),
           count(*) FILTER (WHERE event = 'purchase'), coalesce(sum(revenue) FILTER (WHERE event = 'purchase'), 0),
           count(*) FILTER (WHERE event = 'page_view'), count(*) FILTER (WHERE event = 'content.engagement' AND action = 'play'),
           coalesce(sum(engagement_seconds), 0), coalesce(sum(engagement_pct), 0), count(engagement_pct)
    FROM events WHERE app_id = p_app
    GROUP BY app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id, gender, age, user_os, source,
             country, city, exp_group;
$$;

-- Every app's rows again from its raw store (V28's backfill: no app lock, the new key exists for no other session until
-- this transaction commits). The key first, so that each app's build finds its rows by it rather than scanning the
-- rows of the apps before it.
TRUNCATE fact_user_event_daily;
CREATE UNIQUE INDEX fact_user_event_daily_key ON fact_user_event_daily (app_id, event_date, user_id,
    fact_user_event_daily_side(event, category, device, host, content_type, post_id, content_id, gender, age, user_os, source, country,
                               city, exp_group));
DO $$
DECLARE
    app text;
BEGIN
    FOR app IN SELECT app_id FROM apps ORDER BY app_id LOOP
        PERFORM fact_user_event_daily_build(app);
    END LOOP;
END $$;
ANALYZE fact_user_event_daily;

-- A day's state past the values aggregate holds drops the dimensions of the most values (the posts of a busy day, say),
-- not the whole day: those it does not hold, by API name; query-api reads them of that day per user. No default: a
-- state an aggregate-service of the previous release writes has none, and query-api reads no dimension of it.
ALTER TABLE day_state ADD COLUMN unheld text[];
ALTER TABLE open_day_state ADD COLUMN unheld text[];

-- The closed days' states hold every other dimension exactly: kept, without the two ids, and due to be built again
-- (as a day is an hour after it ended), the latest first, so query-api reads the ids per user only until then.
-- Today's are read anew, a few per app.
UPDATE day_state SET unheld = '{post:id,content:id}', built_at = '-infinity';
TRUNCATE day_value_deltas;
TRUNCATE open_day_state;
