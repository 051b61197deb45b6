package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.service.ErasureService;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.TopicCodec;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

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
    private final ChannelBatches batches;
    private final TopicCodec<ErasureCommand> codec;

    public ErasureConsumer(ErasureService erasures, ChannelBatches batches, ObjectMapper mapper) {
        this.erasures = erasures;
        this.batches = batches;
        this.codec = TopicCodec.erasures(mapper);
        batches.expect(codec.topic(), Quarantine.REASON);
    }

    @Incoming(Channels.CONTROL_ERASURES)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return batches.consume(batch, this);
    }

    @Override
    public Uni<Void> write(List<ReadRecord> records) {
        return Multi.createFrom().iterable(records)
                .onItem().transformToUniAndConcatenate(r -> erasures.erase(batches.parse(r, codec))
                        .invoke(() -> batches.progressed(List.of(r))))
                .collect().last().replaceWithVoid();
    }

    @Override
    public Uni<Void> quarantine(ReadRecord record, Throwable failure) {
        return batches.quarantine(record, failure);
    }

    @Override
    public Uni<Boolean> answers() {
        return batches.answers();
    }
}
