package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.repository.InvalidEventRepository;
import dev.pulse.contract.InvalidEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Keeps every invalid record, once, for the rejected-by-reason figures of /v1/quality. */
@ApplicationScoped
public class InvalidEventConsumer {
    private final InvalidEventRepository repository;
    private final ObjectMapper mapper;

    public InvalidEventConsumer(InvalidEventRepository repository, ObjectMapper mapper) {
        this.repository = repository;
        this.mapper = mapper;
    }

    @Incoming(Channels.EVENTS_INVALID)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<InvalidEventRepository.Stored> records = batch.getRecords().stream().map(record -> {
            IncomingKafkaRecordMetadata<?, ?> meta = record.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
            return new InvalidEventRepository.Stored(meta.getPartition(), meta.getOffset(), parse(record.getPayload()));
        }).toList();
        return UntilStored.retry(repository.store(records), "storing " + records.size() + " invalid records")
                .flatMap(x -> Uni.createFrom().completionStage(batch.ack()));
    }

    private InvalidEvent parse(String value) {
        try {
            return mapper.readValue(value, InvalidEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("events.invalid holds a record that is not an invalid event", e);
        }
    }
}
