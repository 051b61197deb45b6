package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.io.UncheckedIOException;
import java.util.List;

/** Writes accepted events to events.raw; the returned Uni completes once Kafka acknowledged all of them. */
@ApplicationScoped
public class RawEventProducer {
    /** An event serialised once, for both the size check and the topic. */
    public record Record(String key, byte[] value) {
    }

    private final MutinyEmitter<byte[]> emitter;
    private final ObjectMapper mapper;

    public RawEventProducer(@Channel(Channels.EVENTS_RAW) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<byte[]> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.mapper = mapper;
    }

    public Record record(RawEvent event) {
        try {
            return new Record(Topics.userKey(event.appId(), event.event().get("user_id").asText()), mapper.writeValueAsBytes(event));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Uni<Void> send(List<Record> records) {
        List<Uni<Void>> acks = records.stream().map(this::send).toList();
        return Uni.join().all(acks).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(Record record) {
        return emitter.sendMessage(Message.of(record.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key()).build()));
    }
}
