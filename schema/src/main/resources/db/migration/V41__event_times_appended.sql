-- Issue 15: a batch's times are appended to their row whatever their order, and whoever reads a row sorts it. V32's
-- merge ran for a third of the rows updated in the standard run (events of one user and name sent a second apart
-- arrive out of order: a client's clock jitter is enough), and each merge parsed and planned the SQL functions it
-- called anew; the upsert was a quarter of PostgreSQL's statement time. Replaying the standard run's 490 batches into
-- a copy of the table took 29-32 s with the merge and 4.8-5.0 s appending (bench/RESULTS.md, issue 15, session 34).
-- A row now holds one part per batch that added to it, each part that batch's distinct times ascending, so a time can
-- be there twice: two events of one name and user at the same microsecond, stored by different batches (a replayed
-- event is not: only events new to the raw store reach the state). Readers take the set: query-api sorts and dedups
-- each row it reads (EventTimes.ascending), the daily close counts distinct times, and a cut or a rebuild writes a row
-- ascending and distinct again. The size bound counts the bytes stored, as before.
-- first_micros and last_micros bound a row's times (none earlier, none later; a cut narrows them to what it can
-- prove): a cut or the daily close decodes only the rows whose bounds meet its day, as V25 read a row's first and
-- last time, not every row of the week. A row given up (times NULL) is never cut nor counted, whatever its bounds.
ALTER TABLE user_event_times ADD COLUMN first_micros bigint, ADD COLUMN last_micros bigint;
-- rows written before this version are ascending; a row given up gets its week's span, a day either side for any zone
UPDATE user_event_times SET first_micros = user_event_times_at(times, 0), last_micros = user_event_times_at(times, length(times) - 8)
WHERE length(times) > 0;
UPDATE user_event_times SET first_micros = (extract(epoch FROM week_start - 1) * 1000000)::bigint,
                            last_micros = (extract(epoch FROM week_start + 8) * 1000000)::bigint
WHERE first_micros IS NULL;
ALTER TABLE user_event_times ALTER COLUMN first_micros SET NOT NULL, ALTER COLUMN last_micros SET NOT NULL;

DROP FUNCTION user_event_times_merge(bytea, bytea);
DROP FUNCTION user_event_times_at(bytea, int);

CREATE OR REPLACE FUNCTION user_event_times_rebuild(p_app text) RETURNS bigint LANGUAGE sql AS $$
    DELETE FROM user_event_times WHERE app_id = p_app;
    INSERT INTO user_event_times (app_id, week_start, event, user_id, times, first_micros, last_micros)
    SELECT app_id, week_start, event, user_id, CASE WHEN user_event_times_kept(length(times)) THEN times END, first_micros, last_micros
    FROM (SELECT app_id, date_trunc('week', event_date)::date AS week_start, event, user_id,
                 user_event_times_encode(array_agg((extract(epoch FROM event_ts) * 1000000)::bigint)) AS times,
                 min((extract(epoch FROM event_ts) * 1000000)::bigint) AS first_micros, max((extract(epoch FROM event_ts) * 1000000)::bigint) AS last_micros
          FROM events WHERE app_id = p_app GROUP BY 1, 2, 3, 4) AS w;
    INSERT INTO closed_day_versions AS c (app_id, version) VALUES (p_app, 1)
    ON CONFLICT (app_id) DO UPDATE SET version = c.version + 1;
    SELECT count(*) FROM user_event_times WHERE app_id = p_app;
$$;
