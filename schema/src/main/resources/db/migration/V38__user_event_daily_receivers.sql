-- Issue 15: receivers and connections (SPEC §5, distinct receivers and sender-receiver pairs of message.sent) were the
-- last SPEC §5 metrics answered from the raw store. fact_user_event_daily now keys its rows by the message's receiver
-- too, so both are distinct counts over its rows with any dimension or filter, as posts is over its post ids (V37).
-- A user-day's messages now take a row per receiver instead of one.
ALTER TABLE fact_user_event_daily ADD COLUMN receiver_id text;

-- V37's key with the receiver; the old function goes with its index. Reads and writes of the table wait for the build.
DROP INDEX fact_user_event_daily_key;
DROP FUNCTION fact_user_event_daily_side(text, text, text, text, text, bigint, text, smallint, smallint, text, text, text, text, int);
CREATE FUNCTION fact_user_event_daily_side(event text, category text, device text, host text, content_type text, post_id bigint,
                                           content_id text, receiver_id text, gender smallint, age smallint, user_os text, source text,
                                           country text, city text, exp_group int)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(quote_nullable(event) || ',' || quote_nullable(category) || ',' || quote_nullable(device) || ','
               || quote_nullable(host) || ',' || quote_nullable(content_type) || ',' || quote_nullable(post_id::text) || ','
               || quote_nullable(content_id) || ',' || quote_nullable(receiver_id) || ',' || quote_nullable(gender::text) || ','
               || quote_nullable(age::text) || ',' || quote_nullable(user_os) || ',' || quote_nullable(source) || ','
               || quote_nullable(country) || ',' || quote_nullable(city) || ',' || quote_nullable(exp_group::text))
$$;

-- V37's build of one app's rows from its raw store, with the receiver.
CREATE OR REPLACE FUNCTION fact_user_event_daily_build(p_app text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM fact_user_event_daily WHERE app_id = p_app;
    INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id,
                                       receiver_id, gender, age, user_os, source, country, city, exp_group, events, views, likes,
                                       messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
    SELECT app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id, receiver_id, gender, age,
           user_os, source, country, city, exp_group,
           count(*), count(*) FILTER (WHERE event = 'feed.view'), count(*) FILTER (WHERE event = 'feed.like'),
           count(*) FILTER (WHERE event = 'message.sent'), count(*) FILTER (WHERE event = 'signup'),
           count(*) FILTER (WHERE event = 'purchase'), coalesce(sum(revenue) FILTER (WHERE event = 'purchase'), 0),
           count(*) FILTER (WHERE event = 'page_view'), count(*) FILTER (WHERE event = 'content.engagement' AND action = 'play'),
           coalesce(sum(engagement_seconds), 0), coalesce(sum(engagement_pct), 0), count(engagement_pct)
    FROM events WHERE app_id = p_app
    GROUP BY app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id, receiver_id, gender, age,
             user_os, source, country, city, exp_group;
$$;

-- Only the user-days with an event that names a receiver change: their rows again from the raw store, the rest as they
-- are (a day whose raw partition is already dropped keeps its rows, without receivers, unless a late event with a
-- receiver has come for it since: that user-day is its late events only, as a full rebuild would make it). The key first: old rows, all
-- without a receiver, are as unique under it as before, and each user-day's delete finds its rows by it. The raw store's
-- partial index by receiver finds the user-days. The day state's values are the same sums per dimension value, so it
-- stays as it is.
CREATE UNIQUE INDEX fact_user_event_daily_key ON fact_user_event_daily (app_id, event_date, user_id,
    fact_user_event_daily_side(event, category, device, host, content_type, post_id, content_id, receiver_id, gender, age, user_os,
                               source, country, city, exp_group));
CREATE TEMPORARY TABLE v38_user_days ON COMMIT DROP AS
    SELECT DISTINCT app_id, event_date, user_id FROM events WHERE receiver_id IS NOT NULL;
DELETE FROM fact_user_event_daily f USING v38_user_days d
    WHERE f.app_id = d.app_id AND f.event_date = d.event_date AND f.user_id = d.user_id;
INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, device, host, content_type, post_id, content_id,
                                   receiver_id, gender, age, user_os, source, country, city, exp_group, events, views, likes,
                                   messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
SELECT e.app_id, e.event_date, e.user_id, e.event, e.category, e.device, e.host, e.content_type, e.post_id, e.content_id, e.receiver_id,
       e.gender, e.age, e.user_os, e.source, e.country, e.city, e.exp_group,
       count(*), count(*) FILTER (WHERE e.event = 'feed.view'), count(*) FILTER (WHERE e.event = 'feed.like'),
       count(*) FILTER (WHERE e.event = 'message.sent'), count(*) FILTER (WHERE e.event = 'signup'),
       count(*) FILTER (WHERE e.event = 'purchase'), coalesce(sum(e.revenue) FILTER (WHERE e.event = 'purchase'), 0),
       count(*) FILTER (WHERE e.event = 'page_view'), count(*) FILTER (WHERE e.event = 'content.engagement' AND e.action = 'play'),
       coalesce(sum(e.engagement_seconds), 0), coalesce(sum(e.engagement_pct), 0), count(e.engagement_pct)
FROM events e JOIN v38_user_days d ON d.app_id = e.app_id AND d.event_date = e.event_date AND d.user_id = e.user_id
GROUP BY e.app_id, e.event_date, e.user_id, e.event, e.category, e.device, e.host, e.content_type, e.post_id, e.content_id, e.receiver_id,
         e.gender, e.age, e.user_os, e.source, e.country, e.city, e.exp_group;
ANALYZE fact_user_event_daily;
