-- Daily partitions of the raw store are created ahead and dropped after retention by aggregate-service, which in
-- production logs in as a writer that may not run DDL (CREATE TABLE ... PARTITION OF needs the parent's owner).
-- These two functions run as their owner, the migration owner, and do exactly that and nothing else; EXECUTE is
-- granted to aggregate's login only (afterMigrate.sql). A day that already has rows in the default partition
-- (backfill) stays there: attaching would fail.
CREATE FUNCTION create_events_partition(p_day date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    name text := 'events_p' || to_char(p_day, 'YYYYMMDD');
BEGIN
    IF to_regclass(name) IS NOT NULL OR EXISTS (SELECT 1 FROM events_default WHERE event_date = p_day) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, p_day, p_day + 1);
    RETURN true;
END $$;

CREATE FUNCTION drop_events_partitions_before(p_day date) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    partition text;
BEGIN
    FOR partition IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_p[0-9]{8}$'
          AND c.relname < 'events_p' || to_char(p_day, 'YYYYMMDD')
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', partition);
        RETURN NEXT partition;
    END LOOP;
END $$;

REVOKE EXECUTE ON FUNCTION create_events_partition(date), drop_events_partitions_before(date) FROM PUBLIC;
