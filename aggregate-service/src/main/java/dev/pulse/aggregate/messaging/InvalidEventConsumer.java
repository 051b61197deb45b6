package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.PostgresProbe;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.Topics;
import dev.pulse.contract.InvalidEvent;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final ObjectMapper mapper;
    private final Pool pool;
    private final BatchWriter writer;
    private final Quarantine quarantine;
    private final PartitionProgress progress;

    public InvalidEventConsumer(InvalidEventRepository repository, ObjectMapper mapper, Pool pool, BatchWriter writer,
            Quarantine quarantine, PartitionProgress progress) {
        this.repository = repository;
        this.mapper = mapper;
        this.pool = pool;
        this.writer = writer;
        this.quarantine = quarantine;
        quarantine.expect(Topics.INVALID, UNSTORABLE);
        this.progress = progress;
    }

    @Incoming(Channels.EVENTS_INVALID)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<ReadRecord> records = ReadRecord.of(batch);
        return Progress.tracked(progress, records, writer.write(records, this))
                .flatMap(x -> Uni.createFrom().completionStage(batch.ack()));
    }

    @Override
    public Uni<Void> write(List<ReadRecord> records) {
        List<InvalidEventRepository.Stored> stored = records.stream()
                .map(r -> new InvalidEventRepository.Stored(r.partition(), r.offset(), parse(r.value()))).toList();
        return repository.store(stored).invoke(() -> Progress.progressed(progress, records));
    }

    @Override
    public Uni<Void> quarantine(ReadRecord record, Throwable failure) {
        Log.errorf("events.invalid record %d/%d cannot be stored while PostgreSQL answers; skipped (%s): %s",
                record.partition(), record.offset(), failure.toString(), record.value());
        quarantine.counted(record.topic(), UNSTORABLE);
        Progress.progressed(progress, List.of(record));
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Boolean> answers() {
        return PostgresProbe.answers(pool);
    }

    private InvalidEvent parse(String value) {
        try {
            return mapper.readValue(value, InvalidEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("events.invalid holds a record that is not an invalid event", e);
        }
    }
}
