-- Issue 19: a schema Citus can distribute by app_id. A distributed table's primary key and unique constraints must
-- include the distribution column, and the column may not be NULL; the tables keyed without app_id gain it. The
-- keys stay as selective as before: a Kafka position or an erasure id belongs to one app. db/citus/distribute.sql
-- is the distribution plan; CitusReadySchemaIT checks the rule against the catalog after every migration.

-- a rejection whose app could not be read (the record was not an event) is kept under the empty app id, which no
-- app can have (ingest requires a non-empty one), rather than NULL
UPDATE invalid_events SET app_id = '' WHERE app_id IS NULL;
ALTER TABLE invalid_events ALTER COLUMN app_id SET NOT NULL;
ALTER TABLE invalid_events DROP CONSTRAINT invalid_events_pkey, ADD PRIMARY KEY (app_id, source_partition, source_offset);
DROP INDEX invalid_events_origin;
CREATE UNIQUE INDEX invalid_events_origin ON invalid_events (app_id, origin_topic, origin_partition, origin_offset)
    WHERE origin_topic IS NOT NULL;

ALTER TABLE duplicate_events DROP CONSTRAINT duplicate_events_pkey, ADD PRIMARY KEY (app_id, source_partition, source_offset);

ALTER TABLE erasure_requests DROP CONSTRAINT erasure_requests_pkey, ADD PRIMARY KEY (app_id, erasure_id);
ALTER TABLE enrich_erasures DROP CONSTRAINT enrich_erasures_pkey, ADD PRIMARY KEY (app_id, erasure_id);
ALTER TABLE aggregate_erasures DROP CONSTRAINT aggregate_erasures_pkey, ADD PRIMARY KEY (app_id, erasure_id);
