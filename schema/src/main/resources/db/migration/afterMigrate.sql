-- The privileges of the per-service database logins (deploy/k8s: CloudNativePG managed roles, README
-- "Database logins"). Flyway runs this after every migrate, so a login created after the first migration, or a
-- table added by a later one, gets its grants at the next migrate Job. A login that does not exist (the local
-- stack, the tests: one login for everything) is skipped. enrich, aggregate and query-api read every table of the
-- schema, ingest only apps; each writes only what is granted here. Not pg_read_all_data: it reads the system
-- catalogs too, pg_authid's password hashes included.
DO $$
DECLARE
    grants CONSTANT text[][] := ARRAY[
        ['pulse_ingest',    'apps',                          'SELECT, INSERT, UPDATE'],
        ['pulse_ingest',    'erasure_requests',              'SELECT, INSERT'],
        ['pulse_ingest',    'enrich_erasures',               'SELECT'],
        ['pulse_ingest',    'aggregate_erasures',            'SELECT'],
        ['pulse_enrich',    'dim_users',                     'INSERT, UPDATE, DELETE'],
        ['pulse_enrich',    'enrich_erasures',               'INSERT, UPDATE'],
        ['pulse_enrich',    'dim_content',                   'INSERT, UPDATE'],
        ['pulse_enrich',    'enrich_dedup',                  'INSERT, DELETE'],
        ['pulse_aggregate', 'events',                        'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'aggregate_erasures',            'INSERT, UPDATE'],
        ['pulse_aggregate', 'invalid_events',                'INSERT, DELETE'],
        ['pulse_aggregate', 'duplicate_events',              'INSERT, DELETE'],
        ['pulse_aggregate', 'user_first_seen',               'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_daily_feed',               'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'feed_user_posts',               'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_daily_posts',              'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'post_daily_users',              'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'content_daily_players',         'INSERT, DELETE'],
        ['pulse_aggregate', 'fact_daily_messenger',          'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_user_connections',         'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_content_engagement_daily', 'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_user_daily',               'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'fact_user_event_daily',         'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'user_event_times',              'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'app_sessions',                  'INSERT, UPDATE'],
        ['pulse_aggregate', 'user_day_session_ends',         'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'host_daily_visitors',           'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'user_devices_cumulated',        'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'hosts_cumulated',               'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'host_activity_reduced',         'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'quality_daily',                 'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'quality_snapshot_daily',        'INSERT, UPDATE'],
        ['pulse_aggregate', 'closed_day_versions',           'INSERT, UPDATE'],
        ['pulse_aggregate', 'closed_day_changes',            'INSERT, UPDATE'],
        ['pulse_aggregate', 'user_ordinals',                 'INSERT, DELETE'],
        ['pulse_aggregate', 'user_ordinal_counters',         'INSERT, UPDATE'],
        ['pulse_aggregate', 'day_state',                     'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'day_values',                    'INSERT, DELETE'],
        ['pulse_aggregate', 'open_day_state',                'INSERT, UPDATE, DELETE'],
        ['pulse_aggregate', 'day_value_deltas',              'INSERT, DELETE']];
    logins CONSTANT text[] := ARRAY['pulse_ingest', 'pulse_enrich', 'pulse_aggregate', 'pulse_query'];
    readers CONSTANT text[] := ARRAY['pulse_enrich', 'pulse_aggregate', 'pulse_query'];
    login text;
    i int;
BEGIN
    -- Flyway's lock covers migrations, not this callback: replicas starting together would GRANT at the same time
    -- and fail on "tuple concurrently updated" (ReplicasIT found it). One at a time, until this block's end.
    PERFORM pg_advisory_xact_lock(hashtextextended('pulse.after-migrate', 0));
    -- the Kubernetes migrate Job sets pulse.require_logins (QUARKUS_FLYWAY_INIT_SQL): there a login the database
    -- operator has not made yet fails the Job, which runs again, rather than leaving a service without privileges
    -- until the next release's migrate Job
    IF current_setting('pulse.require_logins', true) = 'on' THEN
        FOREACH login IN ARRAY logins LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
                RAISE EXCEPTION 'database login % does not exist yet; the migrate Job grants its privileges once it does', login;
            END IF;
        END LOOP;
    END IF;
    FOREACH login IN ARRAY readers LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
            EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', login);
        END IF;
    END LOOP;
    FOR i IN 1 .. array_length(grants, 1) LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grants[i][1]) THEN
            EXECUTE format('GRANT %s ON TABLE %I TO %I', grants[i][3], grants[i][2], grants[i][1]);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pulse_aggregate') THEN
        GRANT EXECUTE ON FUNCTION create_events_partition(date), drop_events_partitions_before(date) TO pulse_aggregate;
    END IF;
    -- only the owner creates objects (PostgreSQL 15 and later default to this; then nothing is changed here, and
    -- services migrating at the same start do not update the same catalog row together)
    IF has_schema_privilege('public', 'public', 'CREATE') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;
END $$;
