package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.service.AggregationService;
import dev.pulse.aggregate.service.RealtimeService;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.TopicCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches of events.enriched into PostgreSQL, then Redis. The batch is acknowledged (its offsets committed)
 * only after the database transactions committed. A failure while PostgreSQL is down is retried with backoff,
 * never skipped; a batch that keeps failing while it answers is halved until the records at fault are alone
 * (BatchWriter), those go to events.invalid as {@code unprocessable}, and the rest is stored: each slice is one
 * transaction whose raw-store insert decides which events are new, so a replayed slice changes nothing.
 */
@ApplicationScoped
public class EnrichedEventConsumer implements BatchWriter.Sink<ReadRecord> {
    private final AggregationService aggregation;
    private final RealtimeService realtime;
    private final MeterRegistry registry;
    private final ChannelBatches batches;
    private final TopicCodec<EnrichedEvent> codec;
    private final Timer factsFreshness;
    private final Timer realtimeFreshness;

    public EnrichedEventConsumer(AggregationService aggregation, RealtimeService realtime, MeterRegistry registry, ChannelBatches batches,
            ObjectMapper mapper) {
        this.aggregation = aggregation;
        this.realtime = realtime;
        this.registry = registry;
        this.batches = batches;
        this.codec = TopicCodec.enriched(mapper);
        batches.expect(codec.topic(), Quarantine.REASON);
        this.factsFreshness = freshness(registry, "pulse.aggregate.freshness", "received at ingest until committed in the facts");
        this.realtimeFreshness = freshness(registry, "pulse.aggregate.realtime.freshness", "received at ingest until written to the real-time views");
    }

    /** p50 and p99 over the last 30 s or so, so a reading tells how fresh the pipeline is now (SPEC §3 targets). */
    private static Timer freshness(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3).register(registry);
    }

    private static void record(Timer timer, List<EnrichedEvent> events) {
        long now = Instant.now().toEpochMilli();
        events.forEach(e -> timer.record(Duration.ofMillis(Math.max(0, now - e.receivedAt().toEpochMilli()))));
    }

    @Incoming(Channels.EVENTS_ENRICHED)
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return batches.consume(batch, this);
    }

    @Override
    public Uni<Void> write(List<ReadRecord> records) {
        List<EnrichedEvent> events = new ArrayList<>(records.size());
        for (ReadRecord record : records) {
            events.add(batches.parse(record, codec));
        }
        return aggregation.apply(events)
                .invoke(applied -> {
                    registry.counter("pulse.aggregate.events.stored").increment(applied.fresh().size());
                    registry.counter("pulse.aggregate.events.replayed").increment(events.size() - applied.fresh().size());
                    record(factsFreshness, applied.fresh());
                    batches.progressed(records);
                })
                .flatMap(applied -> realtime.record(applied).invoke(written -> {
                    if (written) {
                        record(realtimeFreshness, applied.fresh());
                    }
                }))
                .replaceWithVoid();
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
