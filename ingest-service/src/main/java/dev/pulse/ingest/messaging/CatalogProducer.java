package dev.pulse.ingest.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes content metadata to the compacted catalog topic: the latest record per content wins. */
@ApplicationScoped
public class CatalogProducer {
    private final MutinyEmitter<String> emitter;
    private final TopicCodec<ContentMetadata> codec;

    public CatalogProducer(@Channel(Channels.CATALOG_CONTENT) MutinyEmitter<String> emitter, ObjectMapper mapper) {
        this.emitter = emitter;
        this.codec = TopicCodec.catalog(mapper);
    }

    public Uni<Void> publish(ContentMetadata content) {
        return KeyedRecords.send(emitter, Topics.contentKey(content.appId(), content.contentId()), codec.writeText(content));
    }
}
