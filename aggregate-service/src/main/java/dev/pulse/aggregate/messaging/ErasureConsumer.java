package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.service.ErasureService;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.InvalidEventPublisher;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.PostgresProbe;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.Topics;
import dev.pulse.contract.ErasureCommand;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Executes erasure commands (control.erasures), each in its own transaction and idempotent (a command done before
 * does nothing), so a batch written again after a failure repeats no effect; the offsets are committed after.
 * A command that fails on its own while PostgreSQL answers is quarantined like any record, so it cannot hold up
 * the erasures behind it; its status then stays pending for the operator to see.
 */
@ApplicationScoped
public class ErasureConsumer implements BatchWriter.Sink<ReadRecord> {
    private final ErasureService erasures;
    private final ObjectMapper mapper;
    private final Pool pool;
    private final BatchWriter writer;
    private final Quarantine quarantine;
    private final InvalidEventPublisher publisher;
    private final PartitionProgress progress;

    public ErasureConsumer(ErasureService erasures, ObjectMapper mapper, Pool pool, BatchWriter writer, Quarantine quarantine,
            InvalidEventPublisher publisher, PartitionProgress progress) {
        this.erasures = erasures;
        this.mapper = mapper;
        this.pool = pool;
        this.writer = writer;
        this.quarantine = quarantine;
        quarantine.expect(Topics.ERASURES, Quarantine.REASON);
        this.publisher = publisher;
        this.progress = progress;
    }

    @Incoming(Channels.CONTROL_ERASURES)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<ReadRecord> records = ReadRecord.of(batch);
        return Progress.tracked(progress, records, writer.write(records, this))
                .flatMap(x -> Uni.createFrom().completionStage(batch.ack()));
    }

    @Override
    public Uni<Void> write(List<ReadRecord> records) {
        return Multi.createFrom().iterable(records)
                .onItem().transformToUniAndConcatenate(r -> erasures.erase(parse(r.value())).invoke(() -> Progress.progressed(progress, List.of(r))))
                .collect().last().replaceWithVoid();
    }

    @Override
    public Uni<Void> quarantine(ReadRecord record, Throwable failure) {
        return Quarantined.publish(publisher, quarantine, progress, record, failure);
    }

    @Override
    public Uni<Boolean> answers() {
        return PostgresProbe.answers(pool);
    }

    /** ingest writes this topic from the same contract; a record that does not parse is quarantined like any other failing one. */
    private ErasureCommand parse(String value) {
        try {
            return mapper.readValue(value, ErasureCommand.class);
        } catch (IOException e) {
            throw new UncheckedIOException("control.erasures holds a record that is not an erasure command", e);
        }
    }
}
