package dev.pulse.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.TopicCodec;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Puts quarantined records on events.invalid from a loop that has no transactional producer of its own
 * (enrich's catalog consumer, aggregate's consumers); acknowledged by all replicas before the loop moves on.
 * A record quarantined twice (a replay before its loop committed) is stored once: aggregate keeps invalid
 * records unique by their source position.
 */
public final class InvalidEventPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final TopicCodec<InvalidEvent> codec;

    public InvalidEventPublisher(Map<String, Object> kafka, ObjectMapper mapper) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put("acks", "all");
        props.put("enable.idempotence", true);
        props.put("delivery.timeout.ms", 30_000);
        props.put("request.timeout.ms", 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.codec = TopicCodec.invalid(mapper);
    }

    public Uni<Void> publish(InvalidEvent invalid) {
        return Uni.createFrom().deferred(() -> send(invalid));
    }

    private Uni<Void> send(InvalidEvent invalid) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(codec.topic(), invalid.appId(), codec.write(invalid)), (metadata, error) -> {
            if (error == null) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(error);
            }
        });
        return Uni.createFrom().completionStage(sent);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
