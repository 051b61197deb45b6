-- The one definition of a day's data quality (SPEC §6 /v1/quality): query-api reads it live, aggregate-service's
-- daily close freezes it into quality_snapshot_daily. Days are the app's calendar days; rejections count on the
-- day they were rejected.
CREATE FUNCTION day_quality(p_app text, p_day date, p_zone text)
RETURNS TABLE (accepted bigint, active_users bigint, rejected bigint, rejected_by_reason jsonb, duplicates bigint,
               late bigint, clock_clamped bigint, validation_rate double precision,
               freshness_p50_seconds double precision, freshness_p99_seconds double precision,
               completeness double precision)
LANGUAGE sql STABLE AS $$
    WITH day_events AS (
        SELECT count(*) AS n, count(DISTINCT e.user_id) AS users,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.stored_at - e.received_at)) AS p50,
               percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM e.stored_at - e.received_at)) AS p99,
               -- enrichment found all it looked up: the device, and content metadata where the event names content
               count(*) FILTER (WHERE e.device IS NOT NULL AND (e.content_id IS NULL OR e.content_type IS NOT NULL)) AS complete
        FROM events e WHERE e.app_id = p_app AND e.event_date = p_day),
    by_reason AS (
        SELECT i.reason, count(*) AS n FROM invalid_events i
        WHERE i.app_id = p_app AND (i.rejected_at AT TIME ZONE p_zone)::date = p_day GROUP BY i.reason),
    refused AS (
        SELECT coalesce(sum(r.n), 0)::bigint AS n, coalesce(jsonb_object_agg(r.reason, r.n), '{}'::jsonb) AS reasons FROM by_reason r),
    counters AS (
        SELECT coalesce(sum(q.duplicates), 0)::bigint AS duplicates, coalesce(sum(q.late), 0)::bigint AS late,
               coalesce(sum(q.clamped), 0)::bigint AS clamped
        FROM quality_daily q WHERE q.app_id = p_app AND q.event_date = p_day)
    SELECT e.n, e.users, r.n, r.reasons, c.duplicates, c.late, c.clamped,
           CASE WHEN e.n + r.n = 0 THEN NULL ELSE e.n::double precision / (e.n + r.n) END,
           e.p50, e.p99,
           CASE WHEN e.n = 0 THEN NULL ELSE e.complete::double precision / e.n END
    FROM day_events e, refused r, counters c
$$;
