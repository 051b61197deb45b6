package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.aggregate.service.AggregationService;
import dev.pulse.aggregate.service.RealtimeService;
import dev.pulse.contract.EnrichedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches of events.enriched into PostgreSQL, then Redis. The batch is acknowledged (its offsets committed)
 * only after the database transaction committed; a failed transaction is retried with backoff, never skipped.
 */
@ApplicationScoped
public class EnrichedEventConsumer {
    private final AggregationService aggregation;
    private final RealtimeService realtime;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Timer factsFreshness;
    private final Timer realtimeFreshness;

    public EnrichedEventConsumer(AggregationService aggregation, RealtimeService realtime, ObjectMapper mapper,
            MeterRegistry registry) {
        this.aggregation = aggregation;
        this.realtime = realtime;
        this.mapper = mapper;
        this.registry = registry;
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
        List<EnrichedEvent> events = new ArrayList<>(batch.getRecords().size());
        for (String value : batch.getPayload()) {
            events.add(parse(value));
        }
        return UntilStored.retry(aggregation.apply(events), "aggregating " + events.size() + " events")
                .invoke(fresh -> {
                    registry.counter("pulse.aggregate.events.stored").increment(fresh.size());
                    registry.counter("pulse.aggregate.events.replayed").increment(events.size() - fresh.size());
                    record(factsFreshness, fresh);
                })
                .flatMap(fresh -> realtime.record(fresh).invoke(written -> {
                    if (written) {
                        record(realtimeFreshness, fresh);
                    }
                }))
                .flatMap(x -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** enrich writes this topic from the same contract; a record that does not parse is a bug to stop on. */
    private EnrichedEvent parse(String value) {
        try {
            return mapper.readValue(value, EnrichedEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("events.enriched holds a record that is not an enriched event", e);
        }
    }
}
