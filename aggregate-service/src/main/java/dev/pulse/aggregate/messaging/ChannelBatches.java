package dev.pulse.aggregate.messaging;

import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.InvalidEventPublisher;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.PostgresProbe;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.TopicCodec;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What aggregate's channel consumers share: a batch goes through the bisecting writer with its partitions'
 * progress tracked, and is acknowledged (its offsets committed) only after; PostgreSQL is the sink that must
 * answer before a record is blamed; a record that fails on its own leaves for events.invalid as unprocessable.
 */
@ApplicationScoped
public class ChannelBatches {
    private final Pool pool;
    private final BatchWriter writer;
    private final PartitionProgress progress;
    private final Quarantine quarantine;
    private final InvalidEventPublisher publisher;

    public ChannelBatches(Pool pool, BatchWriter writer, PartitionProgress progress, Quarantine quarantine,
            InvalidEventPublisher publisher) {
        this.pool = pool;
        this.writer = writer;
        this.progress = progress;
        this.quarantine = quarantine;
        this.publisher = publisher;
    }

    Uni<Void> consume(KafkaRecordBatch<String, String> batch, BatchWriter.Sink<ReadRecord> sink) {
        List<ReadRecord> records = ReadRecord.of(batch);
        records.forEach(r -> progress.waiting(r.topic(), r.partition(), true));
        return writer.write(records, sink)
                .invoke(() -> records.forEach(r -> progress.waiting(r.topic(), r.partition(), false)))
                .flatMap(x -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** Each write or quarantine of a batch's records is progress of their partitions. */
    void progressed(List<ReadRecord> records) {
        records.forEach(r -> progress.progressed(r.topic(), r.partition()));
    }

    Uni<Void> quarantine(ReadRecord record, Throwable failure) {
        Log.errorf("%s record %d/%d fails on its own while PostgreSQL answers; quarantined: %s",
                record.topic(), record.partition(), record.offset(), failure.toString());
        return publisher.publish(Quarantine.invalidEvent(Quarantine.appOf(record.key(), record.value()), failure, record.value(),
                        record.topic(), record.partition(), record.offset()))
                .invoke(() -> {
                    quarantine.counted(record.topic(), Quarantine.REASON);
                    progressed(List.of(record));
                });
    }

    /** Counts a record that was skipped rather than quarantined (it has nowhere left to go). */
    void skipped(ReadRecord record, String reason) {
        quarantine.counted(record.topic(), reason);
        progressed(List.of(record));
    }

    /** The quarantine counter of a topic is served at zero from the start. */
    void expect(String topic, String reason) {
        quarantine.expect(topic, reason);
    }

    Uni<Boolean> answers() {
        return PostgresProbe.answers(pool);
    }

    /** Services write these topics from the contract; a record that does not parse is quarantined like any other failing one. */
    <T> T parse(ReadRecord record, TopicCodec<T> codec) {
        try {
            return codec.read(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(record.topic() + " holds a record that is not a " + codec.typeName(), e);
        }
    }
}
