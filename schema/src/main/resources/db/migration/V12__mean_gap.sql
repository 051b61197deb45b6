-- The mean time between n events from first to last, as every fact with "avg_time_between_*" keeps it; null for
-- fewer than two. One definition for inserts and the merged values of updates.
CREATE FUNCTION mean_gap_seconds(first_ts timestamptz, last_ts timestamptz, n bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN n > 1 THEN extract(epoch FROM last_ts - first_ts) / (n - 1) END;
