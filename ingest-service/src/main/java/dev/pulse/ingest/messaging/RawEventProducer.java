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
    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;

    public RawEventProducer(@Channel(Channels.EVENTS_RAW) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.mapper = mapper;
    }

    public Uni<Void> send(List<RawEvent> events) {
        List<Uni<Void>> acks = events.stream().map(this::send).toList();
        return Uni.join().all(acks).andFailFast().replaceWithVoid();
    }

    private Uni<Void> send(RawEvent event) {
        String key = Topics.userKey(event.appId(), event.event().get("user_id").asText());
        Message<String> message = Message.of(json(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build());
        return emitter.sendMessage(message);
    }

    private String json(RawEvent event) {
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
