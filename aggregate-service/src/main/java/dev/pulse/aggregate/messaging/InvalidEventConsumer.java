package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.TopicCodec;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.List;

/**
 * Keeps every invalid record, once, for the rejected-by-reason figures of /v1/quality, and counts enrich's
 * resends. A record of this topic that cannot be stored on its own while PostgreSQL answers has nowhere left to
 * go (putting it back on events.invalid would loop): it is logged with its position, counted in
 * {@code pulse_aggregate_records_quarantined_total{topic="events.invalid",reason="unstorable"}} and skipped.
 */
@ApplicationScoped
public class InvalidEventConsumer implements BatchWriter.Sink<ReadRecord> {
    static final String UNSTORABLE = "unstorable";

    private final InvalidEventRepository repository;
    private final ChannelBatches batches;
    private final TopicCodec<InvalidEvent> codec;

    public InvalidEventConsumer(InvalidEventRepository repository, ChannelBatches batches, ObjectMapper mapper) {
        this.repository = repository;
        this.batches = batches;
        this.codec = TopicCodec.invalid(mapper);
        batches.expect(codec.topic(), UNSTORABLE);
    }

    @Incoming(Channels.EVENTS_INVALID)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return batches.consume(batch, this);
    }

    @Override
    public Uni<Void> write(List<ReadRecord> records) {
        List<InvalidEventRepository.Stored> stored = records.stream()
                .map(r -> new InvalidEventRepository.Stored(r.partition(), r.offset(), batches.parse(r, codec))).toList();
        return repository.store(stored).invoke(() -> batches.progressed(records));
    }

    @Override
    public Uni<Void> quarantine(ReadRecord record, Throwable failure) {
        Log.errorf("events.invalid record %d/%d cannot be stored while PostgreSQL answers; skipped (%s): %s",
                record.partition(), record.offset(), failure.toString(), record.value());
        batches.skipped(record, UNSTORABLE);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Boolean> answers() {
        return batches.answers();
    }
}
