package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.io.UncheckedIOException;

/** Publishes content metadata to the compacted catalog topic: the latest record per content wins. */
@ApplicationScoped
public class CatalogProducer {
    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;

    public CatalogProducer(@Channel(Channels.CATALOG_CONTENT) MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.mapper = mapper;
    }

    public Uni<Void> publish(ContentMetadata content) {
        String value;
        try {
            value = mapper.writeValueAsString(content);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        String key = Topics.contentKey(content.appId(), content.contentId());
        return emitter.sendMessage(Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
