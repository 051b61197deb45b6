-- user_event_times_at as one expression, which PostgreSQL inlines into the statement that calls it: V25's read the
-- 8 bytes through user_event_times_decode, a set-returning SQL function executed anew for every call, and the batch
-- upsert calls it twice per row that merges (a 1,000-row merge into 20,000 rows: 265-303 ms before, 57-58 ms after;
-- bench/RESULTS.md, issue 15). The same value for every offset: big-endian two's complement, NULL where 8 bytes are not there. Not
-- STRICT, which PostgreSQL inlines only for an expression it can prove strict (a CASE is not); NULL in still gives NULL.
CREATE OR REPLACE FUNCTION user_event_times_at(times bytea, byte_offset int) RETURNS bigint
LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE AS $$
    SELECT CASE WHEN byte_offset >= 0 AND length(times) >= byte_offset + 8
                THEN ('x' || encode(substring(times FROM byte_offset + 1 FOR 8), 'hex'))::bit(64)::bigint END
$$;
