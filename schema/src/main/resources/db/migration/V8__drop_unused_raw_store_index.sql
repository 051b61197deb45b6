-- No query reads the raw store by (app_id, event_ts): the real-time rebuild prunes to the last days' partitions
-- by event_date and reads them whole, everything else goes by (app_id, event_date, ...). The benchmark's CPU
-- accounting showed PostgreSQL as the largest consumer under load; each insert no longer maintains this tree.
DROP INDEX events_time;
