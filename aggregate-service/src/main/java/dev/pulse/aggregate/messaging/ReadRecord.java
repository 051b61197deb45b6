package dev.pulse.aggregate.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

import java.util.List;

/** A record of a channel batch with where it was read. */
record ReadRecord(String topic, int partition, long offset, String key, String value) {

    static List<ReadRecord> of(KafkaRecordBatch<String, String> batch) {
        return batch.getRecords().stream().map(r -> {
            IncomingKafkaRecordMetadata<?, ?> meta = r.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
            return new ReadRecord(meta.getTopic(), meta.getPartition(), meta.getOffset(), r.getKey(), r.getPayload());
        }).toList();
    }
}
