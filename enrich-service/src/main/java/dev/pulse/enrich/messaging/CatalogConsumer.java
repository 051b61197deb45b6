package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.InvalidEventPublisher;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.PostgresProbe;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.TopicCodec;
import dev.pulse.enrich.service.ContentCatalog;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Keeps dim_content from the compacted catalog topic. Each instance reads the whole topic from the start
 * (its own consumer group), so its cache learns of every update and a fresh database is filled on start.
 * A record that keeps failing while PostgreSQL answers (or is not content metadata) is quarantined, so it
 * cannot stop the consumer on this start or the next; while PostgreSQL is down the consumer waits.
 */
@ApplicationScoped
public class CatalogConsumer implements BatchWriter.Sink<ConsumerRecord<String, String>> {
    private final ContentCatalog catalog;
    private final TopicCodec<ContentMetadata> codec;
    private final Pool pool;
    private final InvalidEventPublisher publisher;
    private final PartitionProgress progress;
    private final Quarantine quarantine;
    private final BatchWriter writer;

    public CatalogConsumer(ContentCatalog catalog, ObjectMapper mapper, Pool pool, InvalidEventPublisher publisher,
            PartitionProgress progress, Quarantine quarantine, BatchWriter writer) {
        this.catalog = catalog;
        this.codec = TopicCodec.catalog(mapper);
        this.pool = pool;
        this.publisher = publisher;
        this.progress = progress;
        this.quarantine = quarantine;
        quarantine.expect(codec.topic(), Quarantine.REASON);
        this.writer = writer;
    }

    @Incoming(Channels.CATALOG_CONTENT)
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        progress.waiting(record.topic(), record.partition(), true);
        return writer.write(List.of(record), this).invoke(() -> {
            progress.progressed(record.topic(), record.partition());
            progress.waiting(record.topic(), record.partition(), false);
        });
    }

    @Override
    public Uni<Void> write(List<ConsumerRecord<String, String>> records) {
        ConsumerRecord<String, String> record = records.getFirst();
        ContentMetadata content = parse(record.value());
        if (content == null || content.appId() == null || content.contentId() == null) {
            return Uni.createFrom().voidItem();
        }
        return catalog.apply(content, record.partition(), record.offset());
    }

    @Override
    public Uni<Void> quarantine(ConsumerRecord<String, String> record, Throwable failure) {
        Log.errorf("catalog record %d/%d fails on its own while PostgreSQL answers; quarantined: %s",
                record.partition(), record.offset(), failure.toString());
        return publisher.publish(Quarantine.invalidEvent(Quarantine.appOf(record.key(), record.value()), failure, record.value(),
                        record.topic(), record.partition(), record.offset()))
                .invoke(() -> quarantine.counted(record.topic(), Quarantine.REASON));
    }

    @Override
    public Uni<Boolean> answers() {
        return PostgresProbe.answers(pool);
    }

    private ContentMetadata parse(String value) {
        try {
            return value == null ? null : codec.read(value);
        } catch (IOException e) {
            throw new UncheckedIOException("not content metadata: " + e.getMessage(), e);
        }
    }
}
