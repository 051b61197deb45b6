package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.io.UncheckedIOException;

/** Publishes erasure commands; the Uni completes once Kafka ({@code acks=all}) holds the command. */
@ApplicationScoped
public class ErasureProducer {
    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;

    public ErasureProducer(@Channel(Channels.CONTROL_ERASURES) MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.mapper = mapper;
    }

    public Uni<Void> publish(ErasureCommand command) {
        String value;
        try {
            value = mapper.writeValueAsString(command);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return emitter.sendMessage(Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(Topics.userKey(command.appId(), command.userId())).build()));
    }
}
