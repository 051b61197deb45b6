package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.enrich.service.ContentCatalog;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;

/**
 * Keeps dim_content from the compacted catalog topic. Each instance reads the whole topic from the start
 * (its own consumer group), so its cache learns of every update and a fresh database is filled on start.
 */
@ApplicationScoped
public class CatalogConsumer {
    private final ContentCatalog catalog;
    private final ObjectMapper mapper;

    public CatalogConsumer(ContentCatalog catalog, ObjectMapper mapper) {
        this.catalog = catalog;
        this.mapper = mapper;
    }

    @Incoming(Channels.CATALOG_CONTENT)
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        ContentMetadata content;
        try {
            content = record.value() == null ? null : mapper.readValue(record.value(), ContentMetadata.class);
        } catch (IOException e) {
            Log.warnf("catalog record %d/%d is not content metadata, skipped: %s", record.partition(), record.offset(), e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (content == null || content.appId() == null || content.contentId() == null) {
            return Uni.createFrom().voidItem();
        }
        return catalog.apply(content, record.partition(), record.offset());
    }
}
