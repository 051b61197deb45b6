-- Issue 18: sessions from state. A session never crosses the app's midnight, so a user-day's sessions depend on
-- that user-day's events only: aggregate-service recomputes the sessions of each user-day a batch adds events to
-- (late ones included, which may join or split sessions) and keeps them in the per-user daily rollup, on the row of
-- the traits of each session's first event, where query-api sums them like the other partials.
ALTER TABLE fact_user_daily
    ADD COLUMN sessions        int     NOT NULL DEFAULT 0,
    ADD COLUMN session_seconds numeric NOT NULL DEFAULT 0,
    ADD COLUMN bounces         int     NOT NULL DEFAULT 0;

-- Which timeout an app's kept sessions follow. ingest-service counts each change of an app's timeout in
-- session_timeout_version; app_sessions holds the version all of the app's kept sessions were computed with.
-- query-api reads the kept sessions only while the two are equal; aggregate-service's job recomputes the app's days
-- after a change (or for an app it has never built) and then records the version.
ALTER TABLE apps ADD COLUMN session_timeout_version int NOT NULL DEFAULT 0;
CREATE TABLE app_sessions (
    app_id          text PRIMARY KEY,
    timeout_version int  NOT NULL
);

-- Whether the app's kept sessions follow its timeout as it is now: query-api reads them only then, the daily close
-- checks them only then, aggregate-service rebuilds the app otherwise.
CREATE FUNCTION user_day_sessions_current(p_app text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT s.timeout_version = a.session_timeout_version
                     FROM apps a JOIN app_sessions s ON s.app_id = a.app_id WHERE a.app_id = p_app), false);
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

-- Per rollup row key of the given user-days: the sessions the rollup keeps there and those the stored events make
-- with the app's timeout (0 where none). One aggregation over both, grouped by the key (GROUP BY takes NULL traits
-- as equal, like the rollup's NULLS NOT DISTINCT key), rather than a join on nullable columns: such a join could only
-- be a nested loop rescanning one side per row of the other, quadratic in the user-days.
CREATE FUNCTION user_day_sessions_rows(p_app text, p_users text[], p_days date[])
RETURNS TABLE (event_date date, user_id text, gender smallint, age smallint, user_os text, source text, country text,
               city text, exp_group int, kept_sessions int, kept_seconds numeric, kept_bounces int,
               sessions int, session_seconds numeric, bounces int)
LANGUAGE sql STABLE AS $$
    SELECT x.event_date, x.user_id, x.gender, x.age, x.user_os, x.source, x.country, x.city, x.exp_group,
           sum(x.kept_sessions)::int, sum(x.kept_seconds), sum(x.kept_bounces)::int,
           sum(x.sessions)::int, sum(x.session_seconds), sum(x.bounces)::int
    FROM (SELECT f.event_date, f.user_id, f.gender, f.age, f.user_os, f.source, f.country, f.city, f.exp_group,
                 f.sessions AS kept_sessions, f.session_seconds AS kept_seconds, f.bounces AS kept_bounces,
                 0 AS sessions, 0::numeric AS session_seconds, 0 AS bounces
          FROM (SELECT DISTINCT k.user_id, k.day FROM unnest(p_users, p_days) AS k(user_id, day)) k
          JOIN fact_user_daily f ON f.app_id = p_app AND f.event_date = k.day AND f.user_id = k.user_id
          UNION ALL
          SELECT s.event_date, s.user_id, s.gender, s.age, s.user_os, s.source, s.country, s.city, s.exp_group,
                 0, 0, 0, s.sessions, s.session_seconds, s.bounces
          FROM user_day_sessions(p_app, p_users, p_days, (SELECT session_timeout_seconds FROM apps WHERE app_id = p_app)) s) x
    GROUP BY x.event_date, x.user_id, x.gender, x.age, x.user_os, x.source, x.country, x.city, x.exp_group;
$$;

-- Sets the sessions of the given user-days' rollup rows to what their stored events make; rows already right are
-- not rewritten (each changed row is found by its key's index range).
CREATE FUNCTION user_day_sessions_write(p_app text, p_users text[], p_days date[]) RETURNS void LANGUAGE sql AS $$
    UPDATE fact_user_daily f SET sessions = t.sessions, session_seconds = t.session_seconds, bounces = t.bounces
    FROM (SELECT * FROM user_day_sessions_rows(p_app, p_users, p_days) r
          WHERE (r.kept_sessions, r.kept_seconds, r.kept_bounces) IS DISTINCT FROM (r.sessions, r.session_seconds, r.bounces)) t
    WHERE f.app_id = p_app AND f.event_date = t.event_date AND f.user_id = t.user_id AND f.gender IS NOT DISTINCT FROM t.gender
      AND f.age IS NOT DISTINCT FROM t.age AND f.user_os IS NOT DISTINCT FROM t.user_os AND f.source IS NOT DISTINCT FROM t.source
      AND f.country IS NOT DISTINCT FROM t.country AND f.city IS NOT DISTINCT FROM t.city AND f.exp_group IS NOT DISTINCT FROM t.exp_group;
$$;

-- The app-day's rollup rows whose kept sessions differ from what the day's stored events make: the daily close's check.
CREATE FUNCTION user_day_sessions_differences(p_app text, p_day date) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM (SELECT array_agg(DISTINCT user_id) AS users FROM fact_user_daily WHERE app_id = p_app AND event_date = p_day) d,
        user_day_sessions_rows(p_app, d.users, array_fill(p_day, ARRAY[coalesce(cardinality(d.users), 0)])) t
    WHERE (t.kept_sessions, t.kept_seconds, t.kept_bounces) IS DISTINCT FROM (t.sessions, t.session_seconds, t.bounces);
$$;

-- One day of an app's sessions: aggregate-service's rebuild, a day per transaction under the app's lock.
CREATE FUNCTION user_day_sessions_write_day(p_app text, p_day date) RETURNS void LANGUAGE sql AS $$
    SELECT user_day_sessions_write(p_app, array_agg(f.user_id), array_agg(f.event_date))
    FROM (SELECT DISTINCT user_id, event_date FROM fact_user_daily WHERE app_id = p_app AND event_date = p_day) AS f;
$$;

-- The days of an app's rollup whose events the raw store still has (retention may have dropped older ones: their
-- sessions stay as they were computed).
CREATE FUNCTION user_day_sessions_days(p_app text) RETURNS SETOF date LANGUAGE sql STABLE AS $$
    SELECT DISTINCT event_date FROM fact_user_daily
    WHERE app_id = p_app AND event_date >= (SELECT min(event_date) FROM events WHERE app_id = p_app)
    ORDER BY 1;
$$;

-- Records that the app's kept sessions follow its timeout version p_version, unless the timeout changed since (the
-- caller then rebuilds again). Returns whether it did.
CREATE FUNCTION user_day_sessions_kept(p_app text, p_version int) RETURNS boolean LANGUAGE sql AS $$
    WITH kept AS (
        INSERT INTO app_sessions AS a (app_id, timeout_version)
        SELECT app_id, session_timeout_version FROM apps WHERE app_id = p_app AND session_timeout_version = p_version
        ON CONFLICT (app_id) DO UPDATE SET timeout_version = EXCLUDED.timeout_version
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM kept);
$$;

-- One app's sessions, every day the raw store has, in one transaction holding the app (batches wait): for the
-- bench's COPY load, query-api's test fixtures and an operator after a restore; aggregate-service rebuilds a day
-- per transaction instead. Returns the number of days.
CREATE FUNCTION user_day_sessions_rebuild(p_app text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v_version int;
    v_day date;
    v_days int := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse-app:' || p_app, 0));
    SELECT session_timeout_version INTO STRICT v_version FROM apps WHERE app_id = p_app;
    FOR v_day IN SELECT user_day_sessions_days(p_app) LOOP
        PERFORM user_day_sessions_write_day(p_app, v_day);
        v_days := v_days + 1;
    END LOOP;
    PERFORM user_day_sessions_kept(p_app, v_version);
    -- query-api's closed-day cache of the app holds sessions of before
    INSERT INTO closed_day_versions AS c (app_id, version) VALUES (p_app, 1)
    ON CONFLICT (app_id) DO UPDATE SET version = c.version + 1;
    RETURN v_days;
END $$;

-- One app's whole per-user daily rollup, sessions included, from its raw store, as aggregate-service keeps it
-- incrementally, holding the app: for an operator after a restore, the bench's COPY load and query-api's test fixtures.
CREATE FUNCTION fact_user_daily_rebuild(p_app text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse-app:' || p_app, 0));
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

-- No backfill here: it would hold fact_user_daily for the whole history inside the migration. aggregate-service's
-- job builds each app's sessions day by day after the upgrade (no app_sessions row yet); until then query-api
-- answers session metrics from the raw store, as before this version.
