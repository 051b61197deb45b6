-- Where an invalid record was read when that is a Kafka position (events.raw, events.enriched, catalog.content).
-- A loop that quarantined a record and was replayed before committing (aggregate's consumers, enrich's catalog
-- consumer, which reads its topic from the start on every start) puts it on events.invalid again: it is kept once.
ALTER TABLE invalid_events ADD COLUMN origin_topic text, ADD COLUMN origin_partition int, ADD COLUMN origin_offset bigint;
CREATE UNIQUE INDEX invalid_events_origin ON invalid_events (origin_topic, origin_partition, origin_offset)
    WHERE origin_topic IS NOT NULL;

-- enrich's dropped resends, as it reported them on events.invalid inside its Kafka transaction; aggregate counts
-- each into quality_daily.duplicates once, keyed by the resend's position in events.raw, whatever is replayed
CREATE TABLE duplicate_events (
    source_partition int         NOT NULL,
    source_offset    bigint      NOT NULL,
    app_id           text        NOT NULL,
    event_date       date        NOT NULL,
    counted_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_partition, source_offset)
);
CREATE INDEX duplicate_events_counted ON duplicate_events (counted_at);
