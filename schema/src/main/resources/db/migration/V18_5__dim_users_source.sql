-- Where the events.raw record that opened each dim_users version was read. enrich writes versions before its
-- Kafka transaction commits; a batch read again finds the versions its records already wrote by this position,
-- and starts from the traits as they stood before its first record, so a replay adds no version and attaches
-- the same traits. Versions written before this migration have none.
ALTER TABLE dim_users
    ADD COLUMN source_partition int,
    ADD COLUMN source_offset    bigint;
