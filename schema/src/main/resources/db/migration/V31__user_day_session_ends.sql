-- Issue 15: sessions kept from their ends. Recomputing every user-day a batch adds events to from all its stored
-- events was a quarter of PostgreSQL's statement time in the standard run (bench/RESULTS.md), and that work grows
-- with each user's events of the day. Per user-day and session_id (NULL: the events without one, split by gaps),
-- its last session: first and latest event time, its events and the traits of its first event (the rollup row that
-- counts it); and all the session_id's events of the day. A batch whose events of a user-day all come after the
-- first event of their session_id's last session extends, grows or starts sessions from these rows alone
-- (SessionRepository); any other user-day is recomputed from its stored events, these rows with it. The events
-- count is the check: a user-day is taken from its rows only while they count all its events in the rollup (none
-- kept, as before this version or after a reset, or rows left over from a path that did not keep them, as an older
-- aggregate-service's erasure during an upgrade, all fail it).
CREATE TABLE user_day_session_ends (
    app_id     text        NOT NULL,
    event_date date        NOT NULL,
    user_id    text        NOT NULL,
    session_id text,
    first_ts   timestamptz NOT NULL,
    last_ts    timestamptz NOT NULL,
    run_events int         NOT NULL,
    events     int         NOT NULL,
    gender     smallint,
    age        smallint,
    user_os    text,
    source     text,
    country    text,
    city       text,
    exp_group  int
);
CREATE UNIQUE INDEX user_day_session_ends_key ON user_day_session_ends (app_id, event_date, user_id, session_id) NULLS NOT DISTINCT;

-- The sessions of app p_app's user-days (p_users[i], p_days[i]) with timeout p_timeout, one row each: events with a
-- session_id grouped by it, the others in runs with no gap over p_timeout seconds (README "Sessions"); s_no numbers
-- a session_id's sessions in time order. The traits are its first event's.
CREATE FUNCTION user_day_session_list(p_app text, p_users text[], p_days date[], p_timeout int)
RETURNS TABLE (event_date date, user_id text, session_id text, s_no bigint, gender smallint, age smallint, user_os text, source text,
               country text, city text, exp_group int, first_ts timestamptz, last_ts timestamptz, events bigint)
LANGUAGE sql STABLE AS $$
    SELECT s.event_date, s.user_id, s.session_id, s.s_no, s.gender, s.age, s.user_os, s.source, s.country, s.city, s.exp_group,
           s.event_ts, s.last_ts, s.events
    FROM (SELECT r.*, max(r.event_ts) OVER w AS last_ts, count(*) OVER w AS events
          FROM (SELECT t.*, sum(t.s_start::int) OVER (PARTITION BY t.user_id, t.event_date, t.session_id ORDER BY t.event_ts, t.event_id) AS s_no
                FROM (SELECT e.event_date, e.user_id, e.session_id, e.event_ts, e.event_id, e.gender, e.age, e.user_os, e.source,
                             e.country, e.city, e.exp_group,
                             CASE WHEN e.session_id IS NOT NULL THEN lag(e.event_ts) OVER p IS NULL
                                  ELSE coalesce(e.event_ts - lag(e.event_ts) OVER p > make_interval(secs => p_timeout), true) END AS s_start
                      FROM (SELECT DISTINCT k.user_id, k.day FROM unnest(p_users, p_days) AS k(user_id, day)) k
                      JOIN events e ON e.app_id = p_app AND e.event_date = k.day AND e.user_id = k.user_id
                      WINDOW p AS (PARTITION BY e.user_id, e.event_date, e.session_id ORDER BY e.event_ts, e.event_id)) t) r
          WINDOW w AS (PARTITION BY r.user_id, r.event_date, r.session_id, r.s_no)) s
    WHERE s.s_start;
$$;

-- V26's function, now over the list: the sessions per user-day and traits of their first event; seconds from first
-- to last event; a bounce is a session of one event.
CREATE OR REPLACE FUNCTION user_day_sessions(p_app text, p_users text[], p_days date[], p_timeout int)
RETURNS TABLE (event_date date, user_id text, gender smallint, age smallint, user_os text, source text, country text,
               city text, exp_group int, sessions int, session_seconds numeric, bounces int)
LANGUAGE sql STABLE AS $$
    SELECT l.event_date, l.user_id, l.gender, l.age, l.user_os, l.source, l.country, l.city, l.exp_group,
           count(*)::int, sum(extract(epoch FROM l.last_ts - l.first_ts)), (count(*) FILTER (WHERE l.events = 1))::int
    FROM user_day_session_list(p_app, p_users, p_days, p_timeout) l
    GROUP BY l.event_date, l.user_id, l.gender, l.age, l.user_os, l.source, l.country, l.city, l.exp_group;
$$;

-- Sets the given user-days' session ends to what their stored events make with the app's timeout. Two statements:
-- one statement's insert would not see its own delete of the same keys.
CREATE FUNCTION user_day_session_ends_write(p_app text, p_users text[], p_days date[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM user_day_session_ends s USING unnest(p_users, p_days) AS k(user_id, day)
    WHERE s.app_id = p_app AND s.event_date = k.day AND s.user_id = k.user_id;
    INSERT INTO user_day_session_ends (app_id, event_date, user_id, session_id, first_ts, last_ts, run_events, events, gender, age,
                                       user_os, source, country, city, exp_group)
    SELECT DISTINCT ON (l.event_date, l.user_id, l.session_id) p_app, l.event_date, l.user_id, l.session_id, l.first_ts, l.last_ts,
           l.events, sum(l.events) OVER (PARTITION BY l.event_date, l.user_id, l.session_id),
           l.gender, l.age, l.user_os, l.source, l.country, l.city, l.exp_group
    FROM user_day_session_list(p_app, p_users, p_days, (SELECT session_timeout_seconds FROM apps WHERE app_id = p_app)) l
    ORDER BY l.event_date, l.user_id, l.session_id, l.s_no DESC;
$$;

-- V26's recompute of the given user-days' sessions, now with their ends.
CREATE OR REPLACE FUNCTION user_day_sessions_write(p_app text, p_users text[], p_days date[]) RETURNS void LANGUAGE sql AS $$
    UPDATE fact_user_daily f SET sessions = t.sessions, session_seconds = t.session_seconds, bounces = t.bounces
    FROM (SELECT * FROM user_day_sessions_rows(p_app, p_users, p_days) r
          WHERE (r.kept_sessions, r.kept_seconds, r.kept_bounces) IS DISTINCT FROM (r.sessions, r.session_seconds, r.bounces)) t
    WHERE f.app_id = p_app AND f.event_date = t.event_date AND f.user_id = t.user_id AND f.gender IS NOT DISTINCT FROM t.gender
      AND f.age IS NOT DISTINCT FROM t.age AND f.user_os IS NOT DISTINCT FROM t.user_os AND f.source IS NOT DISTINCT FROM t.source
      AND f.country IS NOT DISTINCT FROM t.country AND f.city IS NOT DISTINCT FROM t.city AND f.exp_group IS NOT DISTINCT FROM t.exp_group;
    SELECT user_day_session_ends_write(p_app, p_users, p_days);
$$;

-- No backfill: a user-day without ends is recomputed, ends included, at its next event. aggregate-service drops the
-- ends of days before the day before yesterday (UTC): a late event for such a day recomputes its user-day.
