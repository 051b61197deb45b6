-- Issue 18: sessions from state. A session never crosses the app's midnight, so a user-day's sessions depend on
-- that user-day's events only: aggregate-service recomputes the sessions of each user-day a batch adds events to
-- (late ones included, which may join or split sessions) and keeps them in the per-user daily rollup, on the row of
-- the traits of each session's first event, where query-api sums them like the other partials.
ALTER TABLE fact_user_daily
    ADD COLUMN sessions        int     NOT NULL DEFAULT 0,
    ADD COLUMN session_seconds numeric NOT NULL DEFAULT 0,
    ADD COLUMN bounces         int     NOT NULL DEFAULT 0;

-- The timeout fact_user_daily's sessions were computed with, per app. query-api answers session metrics from the
-- rollup only while it equals apps.session_timeout_seconds; aggregate-service rebuilds an app whose timeout changed.
CREATE TABLE app_sessions (
    app_id          text PRIMARY KEY,
    timeout_seconds int  NOT NULL
);

-- The timeout an app's sessions are kept with: the one they were built with, else (not built yet) the app's own.
CREATE FUNCTION user_day_sessions_timeout(p_app text) RETURNS int LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT timeout_seconds FROM app_sessions WHERE app_id = p_app),
                    (SELECT session_timeout_seconds FROM apps WHERE app_id = p_app));
$$;

-- The sessions of app p_app's user-days (p_users[i], p_days[i]) by the traits of their first event: events with a
-- session_id grouped by it, the others in runs with no gap over p_timeout seconds (README "Sessions"). Seconds
-- from first to last event; a bounce is a session of one event.
CREATE FUNCTION user_day_sessions(p_app text, p_users text[], p_days date[], p_timeout int)
RETURNS TABLE (event_date date, user_id text, gender smallint, age smallint, user_os text, source text, country text,
               city text, exp_group int, sessions int, session_seconds numeric, bounces int)
LANGUAGE sql STABLE AS $$
    SELECT s.event_date, s.user_id, s.gender, s.age, s.user_os, s.source, s.country, s.city, s.exp_group,
           count(*)::int, sum(s.seconds), (count(*) FILTER (WHERE s.events = 1))::int
    FROM (SELECT r.*, extract(epoch FROM max(r.event_ts) OVER w - min(r.event_ts) OVER w) AS seconds, count(*) OVER w AS events
          FROM (SELECT t.*, sum(t.s_start::int) OVER (PARTITION BY t.user_id, t.event_date, t.session_id ORDER BY t.event_ts, t.event_id) AS s_no
                FROM (SELECT e.event_date, e.user_id, e.session_id, e.event_ts, e.event_id, e.gender, e.age, e.user_os, e.source,
                             e.country, e.city, e.exp_group,
                             CASE WHEN e.session_id IS NOT NULL THEN lag(e.event_ts) OVER p IS NULL
                                  ELSE coalesce(e.event_ts - lag(e.event_ts) OVER p > make_interval(secs => p_timeout), true) END AS s_start
                      FROM (SELECT DISTINCT k.user_id, k.day FROM unnest(p_users, p_days) AS k(user_id, day)) k
                      JOIN events e ON e.app_id = p_app AND e.event_date = k.day AND e.user_id = k.user_id
                      WINDOW p AS (PARTITION BY e.user_id, e.event_date, e.session_id ORDER BY e.event_ts, e.event_id)) t) r
          WINDOW w AS (PARTITION BY r.user_id, r.event_date, r.session_id, r.s_no)) s
    WHERE s.s_start
    GROUP BY s.event_date, s.user_id, s.gender, s.age, s.user_os, s.source, s.country, s.city, s.exp_group;
$$;

-- Sets the sessions of the given user-days' rollup rows to what their stored events make (0 on rows no session
-- starts on), with the app's kept timeout; rows already right are not rewritten.
CREATE FUNCTION user_day_sessions_write(p_app text, p_users text[], p_days date[]) RETURNS void LANGUAGE sql AS $$
    WITH s AS MATERIALIZED (SELECT * FROM user_day_sessions(p_app, p_users, p_days, user_day_sessions_timeout(p_app))),
    t AS (SELECT f.event_date, f.user_id, f.gender, f.age, f.user_os, f.source, f.country, f.city, f.exp_group,
                 coalesce(s.sessions, 0) AS sessions, coalesce(s.session_seconds, 0) AS session_seconds, coalesce(s.bounces, 0) AS bounces
          FROM (SELECT DISTINCT k.user_id, k.day FROM unnest(p_users, p_days) AS k(user_id, day)) k
          JOIN fact_user_daily f ON f.app_id = p_app AND f.event_date = k.day AND f.user_id = k.user_id
          LEFT JOIN s ON s.event_date = f.event_date AND s.user_id = f.user_id AND s.gender IS NOT DISTINCT FROM f.gender
              AND s.age IS NOT DISTINCT FROM f.age AND s.user_os IS NOT DISTINCT FROM f.user_os AND s.source IS NOT DISTINCT FROM f.source
              AND s.country IS NOT DISTINCT FROM f.country AND s.city IS NOT DISTINCT FROM f.city AND s.exp_group IS NOT DISTINCT FROM f.exp_group)
    UPDATE fact_user_daily f SET sessions = t.sessions, session_seconds = t.session_seconds, bounces = t.bounces
    FROM t
    WHERE f.app_id = p_app AND f.event_date = t.event_date AND f.user_id = t.user_id AND f.gender IS NOT DISTINCT FROM t.gender
      AND f.age IS NOT DISTINCT FROM t.age AND f.user_os IS NOT DISTINCT FROM t.user_os AND f.source IS NOT DISTINCT FROM t.source
      AND f.country IS NOT DISTINCT FROM t.country AND f.city IS NOT DISTINCT FROM t.city AND f.exp_group IS NOT DISTINCT FROM t.exp_group
      AND (f.sessions, f.session_seconds, f.bounces) IS DISTINCT FROM (t.sessions, t.session_seconds, t.bounces);
$$;

-- One app's sessions, every user-day, with the app's current timeout, which it then keeps: the migration's backfill,
-- aggregate-service after a timeout change (under the app's exclusive lock), the bench's COPY load, an operator
-- after a restore. Returns the timeout used.
CREATE FUNCTION user_day_sessions_rebuild(p_app text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v_timeout int := (SELECT session_timeout_seconds FROM apps WHERE app_id = p_app);
BEGIN
    INSERT INTO app_sessions AS a (app_id, timeout_seconds) VALUES (p_app, v_timeout)
    ON CONFLICT (app_id) DO UPDATE SET timeout_seconds = EXCLUDED.timeout_seconds;
    PERFORM user_day_sessions_write(p_app, array_agg(k.user_id), array_agg(k.event_date))
    FROM (SELECT DISTINCT f.user_id, f.event_date FROM fact_user_daily f WHERE f.app_id = p_app) k;
    RETURN v_timeout;
END $$;

-- One app's whole per-user daily rollup, sessions included, from its raw store, as aggregate-service keeps it
-- incrementally: for an operator after a restore, the bench's COPY load and query-api's test fixtures.
CREATE FUNCTION fact_user_daily_rebuild(p_app text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM fact_user_daily WHERE app_id = p_app;
    INSERT INTO fact_user_daily (app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group, events, views,
                                 likes, messages, signups, purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count)
    SELECT app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group,
           count(*), count(*) FILTER (WHERE event = 'feed.view'), count(*) FILTER (WHERE event = 'feed.like'),
           count(*) FILTER (WHERE event = 'message.sent'), count(*) FILTER (WHERE event = 'signup'),
           count(*) FILTER (WHERE event = 'purchase'), coalesce(sum(revenue), 0), count(*) FILTER (WHERE event = 'page_view'),
           count(*) FILTER (WHERE event = 'content.engagement' AND action = 'play'), coalesce(sum(engagement_seconds), 0),
           coalesce(sum(engagement_pct), 0), count(engagement_pct)
    FROM events WHERE app_id = p_app
    GROUP BY app_id, event_date, user_id, gender, age, user_os, source, country, city, exp_group;
    PERFORM user_day_sessions_rebuild(p_app);
    RETURN (SELECT count(*) FROM fact_user_daily WHERE app_id = p_app);
END $$;

-- the sessions of the events stored before this version
SELECT user_day_sessions_rebuild(app_id) FROM apps;
