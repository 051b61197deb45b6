package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.Topics;
import dev.pulse.enrich.domain.EnrichedBatch;
import dev.pulse.enrich.domain.RejectedRecord;
import dev.pulse.enrich.domain.SourcePosition;
import dev.pulse.enrich.service.EnrichmentService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import io.smallrye.reactive.messaging.kafka.transactions.TransactionalEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Consume-transform-produce in one Kafka transaction per batch: the enriched events, the invalid records and
 * the consumed offsets commit together or not at all, so downstream read_committed consumers see each once.
 */
@ApplicationScoped
public class RawEventConsumer {
    private final KafkaTransactions<String> out;
    private final EnrichmentService enrichment;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    /**
     * A whole batch is emitted inside its transaction before Kafka's sink asks for it: without room for every
     * record of the largest batch the emitter refuses some ("insufficient downstream requests") and the
     * transaction aborts, again and again.
     */
    static final int LARGEST_BATCH_OUTPUT = 20_000;

    public RawEventConsumer(@Channel(Channels.EVENTS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = LARGEST_BATCH_OUTPUT)
            KafkaTransactions<String> out, EnrichmentService enrichment,
            ObjectMapper mapper, MeterRegistry registry) {
        this.out = out;
        this.enrichment = enrichment;
        this.mapper = mapper;
        this.registry = registry;
    }

    @Incoming(Channels.EVENTS_RAW)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<EnrichmentService.Input> inputs = batch.getRecords().stream()
                .map(r -> {
                    IncomingKafkaRecordMetadata<?, ?> meta = r.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
                    return new EnrichmentService.Input(r.getPayload(), new SourcePosition(meta.getTopic(), meta.getPartition(), meta.getOffset()));
                })
                .toList();
        return out.withTransactionAndAck(batch, emitter -> enrichment.process(inputs)
                .invoke(result -> emit(result, emitter))
                .onFailure().invoke(e -> Log.errorf(e, "enriching %d records failed; the transaction aborts and they are read again", inputs.size()))
                .replaceWithVoid());
    }

    private void emit(EnrichedBatch batch, TransactionalEmitter<String> emitter) {
        for (EnrichedEvent event : batch.enriched()) {
            emitter.send(record(Topics.ENRICHED, Topics.userKey(event.appId(), event.userId()), json(event)));
        }
        Instant now = Instant.now();
        for (RejectedRecord rejected : batch.rejected()) {
            InvalidEvent invalid = new InvalidEvent(rejected.appId(), rejected.reason(), rejected.error(), rejected.payload(),
                    rejected.source().topic(), rejected.source().partition(), rejected.source().offset(), now);
            emitter.send(record(Topics.INVALID, rejected.appId(), json(invalid)));
            registry.counter("pulse.enrich.events.invalid", "app", String.valueOf(rejected.appId()), "reason", rejected.reason()).increment();
        }
        registry.counter("pulse.enrich.events.enriched").increment(batch.enriched().size());
        registry.counter("pulse.enrich.events.duplicates").increment(batch.duplicates());
    }

    private static Message<String> record(String topic, String key, String value) {
        return Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withTopic(topic).withKey(key).build());
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
