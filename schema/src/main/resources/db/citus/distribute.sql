-- The distribution plan of the Pulse schema on Citus (issue 19; README "Scaling"). Run once, as the owner, on the
-- coordinator after the Flyway migrations and before the services start writing: psql -f distribute.sql.
--
-- Every table holding an app's data is hash-distributed by app_id and colocated with events, so the statements of
-- the write and the query path, which all name one app_id, are routed to one shard group, and joins between these
-- tables (always on app_id) stay on one node. apps (one row per app; looked up by key hash, which is unique across
-- apps), app_sessions (the timeout version each app's kept sessions follow, read with the app)
-- and dim_dates (a calendar) are reference tables, copied to every node. Partitions of events that
-- create_events_partition() adds later are distributed with their parent. CitusReadySchemaIT checks that this list
-- names every table of the migrated schema exactly once, with the kind its keys allow.
SELECT create_reference_table('apps');
SELECT create_reference_table('dim_dates');
SELECT create_reference_table('app_sessions');

SELECT create_distributed_table('events', 'app_id', shard_count => 32);
SELECT create_distributed_table('enrich_dedup', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('dim_users', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('dim_content', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_first_seen', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_user_daily', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_user_event_daily', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_event_times', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_day_session_ends', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_ordinals', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_ordinal_counters', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('day_state', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('day_values', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('open_day_state', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('day_value_deltas', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_daily_feed', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('feed_user_posts', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_daily_posts', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('post_daily_users', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_daily_messenger', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_user_connections', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('fact_content_engagement_daily', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('content_daily_players', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('host_daily_visitors', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('hosts_cumulated', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('host_activity_reduced', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('user_devices_cumulated', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('quality_daily', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('quality_snapshot_daily', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('closed_day_versions', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('closed_day_changes', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('invalid_events', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('duplicate_events', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('erasure_requests', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('enrich_erasures', 'app_id', colocate_with => 'events');
SELECT create_distributed_table('aggregate_erasures', 'app_id', colocate_with => 'events');
