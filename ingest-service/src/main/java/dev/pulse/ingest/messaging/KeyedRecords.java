package dev.pulse.ingest.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

/** A value (written by its topic's codec) sent under its key; the Uni completes once Kafka ({@code acks=all}) holds it. */
final class KeyedRecords {
    private KeyedRecords() {
    }

    static <V> Uni<Void> send(MutinyEmitter<V> emitter, String key, V value) {
        return emitter.sendMessage(Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
