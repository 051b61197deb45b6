-- query-api holds the funnels' state of closed weeks under the app's closed-day versions: an operator's rebuild of
-- an app's state changes its past, so it bumps the app's version like the other rebuilds do.
CREATE OR REPLACE FUNCTION user_event_times_rebuild(p_app text) RETURNS bigint LANGUAGE sql AS $$
    DELETE FROM user_event_times WHERE app_id = p_app;
    INSERT INTO user_event_times (app_id, week_start, event, user_id, times)
    SELECT app_id, week_start, event, user_id, CASE WHEN user_event_times_kept(length(times)) THEN times END
    FROM (SELECT app_id, date_trunc('week', event_date)::date AS week_start, event, user_id,
                 user_event_times_encode(array_agg((extract(epoch FROM event_ts) * 1000000)::bigint)) AS times
          FROM events WHERE app_id = p_app GROUP BY 1, 2, 3, 4) AS w;
    INSERT INTO closed_day_versions AS c (app_id, version) VALUES (p_app, 1)
    ON CONFLICT (app_id) DO UPDATE SET version = c.version + 1;
    SELECT count(*) FROM user_event_times WHERE app_id = p_app;
$$;
