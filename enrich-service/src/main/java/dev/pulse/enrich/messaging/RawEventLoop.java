package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.Topics;
import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.domain.EnrichedBatch;
import dev.pulse.enrich.domain.RejectedRecord;
import dev.pulse.enrich.domain.SourcePosition;
import dev.pulse.enrich.service.EnrichmentService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Consumes {@code events.raw} in batches and writes each batch's enriched events and invalid records to Kafka in
 * one transaction together with the consumed offsets: a batch leaves exactly once, or not at all and is read again.
 * <p>
 * A plain consumer/transactional-producer loop on its own thread rather than a SmallRye channel: measured under
 * load, the per-record message, acknowledgement and context-propagation machinery of a transactional emitter cost
 * about a third of enrich's CPU (bench/RESULTS.md), and enrich must keep up with ingest.
 */
@ApplicationScoped
public class RawEventLoop implements Runnable {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(5);

    private final Map<String, Object> kafka;
    private final EnrichConfig config;
    private final EnrichmentService enrichment;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    private final Counter enrichedCounter;
    private final Counter duplicatesCounter;
    private final Counter failedCounter;
    // one transactional id per process: a new producer of this instance fences the one it replaces
    private final String transactionalId = "enrich-" + UUID.randomUUID();

    private volatile boolean running;
    private volatile Instant lastBatchDone = Instant.now();
    private Thread thread;
    private volatile KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, byte[]> producer;

    public RawEventLoop(@Identifier("default-kafka-broker") Map<String, Object> kafka, EnrichConfig config,
            EnrichmentService enrichment, ObjectMapper mapper, MeterRegistry registry) {
        this.kafka = kafka;
        this.config = config;
        this.enrichment = enrichment;
        this.mapper = mapper;
        this.registry = registry;
        this.enrichedCounter = registry.counter("pulse.enrich.events.enriched");
        this.duplicatesCounter = registry.counter("pulse.enrich.events.duplicates");
        this.failedCounter = registry.counter("pulse.enrich.batches.failed");
    }

    void start(@Observes StartupEvent start) {
        running = true;
        thread = new Thread(this, "enrich-raw-events");
        thread.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        thread.join(Duration.ofSeconds(10));
    }

    /** Whether the loop runs and, when it has work, gets batches through (for readiness). */
    public boolean healthy(Duration stalledAfter) {
        return thread != null && thread.isAlive() && lastBatchDone.isAfter(Instant.now().minus(stalledAfter));
    }

    @Override
    public void run() {
        Duration backoff = POLL;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new StringDeserializer());
             // Quarkus binds the metrics of the consumers it creates, not of this one: its lag is what alerts watch
             KafkaClientMetrics metrics = new KafkaClientMetrics(c)) {
            metrics.bindTo(registry);
            consumer = c;
            c.subscribe(List.of(Topics.RAW));
            while (running) {
                ConsumerRecords<String, String> records = c.poll(POLL);
                if (records.isEmpty()) {
                    lastBatchDone = Instant.now();
                    continue;
                }
                try {
                    process(records);
                    lastBatchDone = Instant.now();
                    backoff = POLL;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    Log.errorf(e, "enriching %d records failed; they are read again in %s", records.count(), backoff);
                    failedCounter.increment();
                    rewind(records);
                    Thread.sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : backoff.multipliedBy(2);
                }
            }
        } catch (WakeupException e) {
            Log.debug("raw event loop woken up to stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeProducer();
        }
    }

    private void process(ConsumerRecords<String, String> records) {
        List<EnrichmentService.Input> inputs = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            inputs.add(new EnrichmentService.Input(r.value(), new SourcePosition(r.topic(), r.partition(), r.offset())));
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        EnrichedBatch batch = enrichment.process(inputs).await().atMost(config.loop().batchTimeout());
        KafkaProducer<String, byte[]> p = producer();
        try {
            p.beginTransaction();
            for (EnrichedEvent event : batch.enriched()) {
                p.send(new ProducerRecord<>(Topics.ENRICHED, Topics.userKey(event.appId(), event.userId()), json(event)));
            }
            Instant now = Instant.now();
            for (RejectedRecord rejected : batch.rejected()) {
                InvalidEvent invalid = new InvalidEvent(rejected.appId(), rejected.reason(), rejected.error(), rejected.payload(),
                        rejected.source().topic(), rejected.source().partition(), rejected.source().offset(), now);
                p.send(new ProducerRecord<>(Topics.INVALID, rejected.appId(), json(invalid)));
            }
            p.sendOffsetsToTransaction(next, consumer.groupMetadata());
            p.commitTransaction();
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        for (RejectedRecord rejected : batch.rejected()) {
            registry.counter("pulse.enrich.events.invalid", "app", String.valueOf(rejected.appId()), "reason", rejected.reason()).increment();
        }
        enrichedCounter.increment(batch.enriched().size());
        duplicatesCounter.increment(batch.duplicates());
    }

    /** Back to the first record of the failed batch in each of its partitions: that is where the last commit left off. */
    private void rewind(ConsumerRecords<String, String> records) {
        for (TopicPartition partition : records.partitions()) {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, records.records(partition).getFirst().offset());
            }
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            // a fenced or broken producer cannot abort; a new one with the same id aborts what it left open
            Log.warnf(e, "aborting the transaction failed; replacing the producer");
            closeProducer();
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafka);
            props.put("transactional.id", transactionalId);
            props.put("acks", "all");
            props.put("enable.idempotence", true);
            props.put("linger.ms", 5);
            props.put("transaction.timeout.ms", (int) config.loop().transactionTimeout().toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put("group.id", config.loop().groupId());
        props.put("enable.auto.commit", false);
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("max.poll.records", config.loop().maxPollRecords());
        props.put("session.timeout.ms", (int) config.loop().sessionTimeout().toMillis());
        return props;
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
