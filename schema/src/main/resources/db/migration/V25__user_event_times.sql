-- Issue 18: funnels from compact state. A funnel needs every time each user did each step's event (strict order
-- within a window is decided by all of them), so the state is those times, not counts: per app, app-local week
-- (Monday of event_date), event name and user, the distinct epoch microseconds of the events, ascending, each 8 bytes
-- big-endian in one bytea. A 30-day funnel of 4 steps reads at most users x 4 x 6 rows of plain bytes instead of
-- every row of the raw store; query-api decodes them without a per-value object. Distinct, because an event at
-- the very instant of another of the same name and user never changes a funnel (a step must be strictly later),
-- and because a union makes replays (a redelivered batch) change nothing. times is NULL once a row would exceed
-- 131,072 times (1 MiB; user_event_times_kept): rewriting ever larger values per batch would make one client's flood
-- of events cost every app's writes, so such a row stops being kept and funnels over it read the raw store.
CREATE TABLE user_event_times (
    app_id     text  NOT NULL,
    week_start date  NOT NULL,
    event      text  NOT NULL,
    user_id    text  NOT NULL,
    times      bytea,
    PRIMARY KEY (app_id, week_start, event, user_id)
);
-- funnels read each user's rows together, in week order, so query-api holds one user's times at a time (and an
-- erasure finds a user's rows)
CREATE INDEX user_event_times_user ON user_event_times (app_id, user_id, week_start, event);
-- the values are random to a compressor; stored uncompressed they are read without a decompression pass
ALTER TABLE user_event_times ALTER COLUMN times SET STORAGE EXTERNAL;

CREATE FUNCTION user_event_times_decode(times bytea) RETURNS SETOF bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- b: the value detoasted once (OFFSET 0 keeps it a subquery), not once per byte read
    SELECT (get_byte(b, i)::bigint << 56) | (get_byte(b, i + 1)::bigint << 48) | (get_byte(b, i + 2)::bigint << 40)
           | (get_byte(b, i + 3)::bigint << 32) | (get_byte(b, i + 4)::bigint << 24) | (get_byte(b, i + 5)::bigint << 16)
           | (get_byte(b, i + 6)::bigint << 8) | get_byte(b, i + 7)::bigint
    FROM (SELECT times || ''::bytea AS b OFFSET 0) AS d, generate_series(0, length(b) - 8, 8) AS i
$$;

CREATE FUNCTION user_event_times_encode(micros bigint[]) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(int8send(t), ''::bytea ORDER BY t), ''::bytea) FROM (SELECT DISTINCT t FROM unnest(micros) AS t) AS d
$$;

-- Whether a row of that many bytes is kept: one over 131,072 times is given up (times NULL).
CREATE FUNCTION user_event_times_kept(bytes int) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT bytes <= 131072 * 8
$$;

-- The time at a byte offset (0: the first, length - 8: the last).
CREATE FUNCTION user_event_times_at(times bytea, byte_offset int) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT t FROM user_event_times_decode(substring(times FROM byte_offset + 1 FOR 8)) AS t
$$;

-- Events mostly arrive in time order: then the new times all follow the stored ones and are appended; a late event
-- merges the two lists.
CREATE FUNCTION user_event_times_merge(stored bytea, added bytea) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN length(added) = 0 THEN stored
        WHEN length(stored) = 0 THEN added
        WHEN user_event_times_at(stored, length(stored) - 8) < user_event_times_at(added, 0) THEN stored || added
        ELSE user_event_times_encode(ARRAY(SELECT user_event_times_decode(stored) UNION ALL SELECT user_event_times_decode(added)))
    END
$$;

-- Without the times in [drop_from, drop_until): a day a recompute replays, the days retention drops.
CREATE FUNCTION user_event_times_without(times bytea, drop_from bigint, drop_until bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT user_event_times_encode(ARRAY(SELECT t FROM user_event_times_decode(times) AS t WHERE t < drop_from OR t >= drop_until))
$$;

-- One app's state from its raw store (after a restore, or for a fixture); this migration fills every app's.
CREATE FUNCTION user_event_times_rebuild(p_app text) RETURNS bigint LANGUAGE sql AS $$
    DELETE FROM user_event_times WHERE app_id = p_app;
    INSERT INTO user_event_times (app_id, week_start, event, user_id, times)
    SELECT app_id, week_start, event, user_id, CASE WHEN user_event_times_kept(length(times)) THEN times END
    FROM (SELECT app_id, date_trunc('week', event_date)::date AS week_start, event, user_id,
                 user_event_times_encode(array_agg((extract(epoch FROM event_ts) * 1000000)::bigint)) AS times
          FROM events WHERE app_id = p_app GROUP BY 1, 2, 3, 4) AS w;
    SELECT count(*) FROM user_event_times WHERE app_id = p_app;
$$;

-- the times of the events stored before this version
SELECT user_event_times_rebuild(app_id) FROM apps;
