package dev.pulse.enrich.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.consumer.BatchWriter;
import dev.pulse.consumer.ConsumersConfig;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.PostgresProbe;
import dev.pulse.consumer.Quarantine;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Topics;
import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.domain.DroppedResend;
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
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Consumes {@code events.raw} in batches and writes each batch's enriched events and invalid records to Kafka in
 * one transaction together with the consumed offsets: a batch leaves exactly once, or not at all and is read again.
 * <p>
 * A batch that fails while PostgreSQL answers is halved until the records at fault are alone (BatchWriter); each
 * leaves for events.invalid as {@code unprocessable} in a transaction with its own offset, and the rest of the
 * batch goes on in transactions of their own. While a sink is down nothing is quarantined: the batch is read
 * again after a backoff (polling on keeps the consumer in its group).
 * <p>
 * A plain consumer/transactional-producer loop on its own thread rather than a SmallRye channel: measured under
 * load, the per-record message, acknowledgement and context-propagation machinery of a transactional emitter cost
 * about a third of enrich's CPU (bench/RESULTS.md), and enrich must keep up with ingest.
 */
@ApplicationScoped
public class RawEventLoop implements Runnable {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Object> kafka;
    private final EnrichConfig config;
    private final EnrichmentService enrichment;
    private final TopicCodec<EnrichedEvent> enrichedCodec;
    private final TopicCodec<InvalidEvent> invalidCodec;
    private final Pool pool;
    private final MeterRegistry registry;
    private final PartitionProgress progress;
    private final Quarantine quarantine;
    private final BatchWriter writer;
    private final Counter enrichedCounter;
    private final Counter duplicatesCounter;
    private final Counter failedCounter;
    private final Counter restartsCounter;
    private final String transactionalId;

    private volatile boolean running;
    private Thread thread;
    private volatile KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, byte[]> producer;

    public RawEventLoop(@Identifier("default-kafka-broker") Map<String, Object> kafka, EnrichConfig config,
            EnrichmentService enrichment, ObjectMapper mapper, Pool pool, MeterRegistry registry, PartitionProgress progress,
            Quarantine quarantine, ConsumersConfig consumers) {
        this.kafka = kafka;
        this.config = config;
        // one transactional id per process: a new producer of this instance fences the one it replaces
        this.transactionalId = config.loop().transactionalIdPrefix() + UUID.randomUUID();
        this.enrichment = enrichment;
        this.enrichedCodec = TopicCodec.enriched(mapper);
        this.invalidCodec = TopicCodec.invalid(mapper);
        this.pool = pool;
        this.registry = registry;
        this.progress = progress;
        this.quarantine = quarantine;
        quarantine.expect(Topics.RAW, Quarantine.REASON);
        // fails while a sink is down: the loop then polls on, to stay in its group, and reads the batch again
        this.writer = new BatchWriter(consumers.attemptsPerSlice(), POLL, LONGEST_BACKOFF, BatchWriter.WhileDown.FAIL);
        this.enrichedCounter = registry.counter("pulse.enrich.events.enriched");
        this.duplicatesCounter = registry.counter("pulse.enrich.events.duplicates");
        this.failedCounter = registry.counter("pulse.enrich.batches.failed");
        this.restartsCounter = registry.counter("pulse.enrich.loop.restarts");
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

    /** Whether the loop's thread lives (for liveness): it only ends on stop or on an Error nothing can recover from. */
    public boolean alive() {
        return thread != null && thread.isAlive();
    }

    /** Runs the loop; anything that escapes it starts it again with a new consumer and producer, after a backoff. */
    @Override
    public void run() {
        Duration backoff = POLL;
        while (running) {
            try {
                consume();
                backoff = POLL;
            } catch (WakeupException e) {
                Log.debug("raw event loop woken up to stop");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Log.errorf(e, "the events.raw loop failed; it starts again in %s", backoff);
                restartsCounter.increment();
                if (!pause(backoff)) {
                    return;
                }
                backoff = longer(backoff);
            } finally {
                closeProducer();
            }
        }
    }

    private void consume() throws InterruptedException {
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new StringDeserializer());
             // Quarkus binds the metrics of the consumers it creates, not of this one: its lag is what alerts watch
             KafkaClientMetrics metrics = new KafkaClientMetrics(c)) {
            metrics.bindTo(registry);
            consumer = c;
            c.subscribe(List.of(Topics.RAW), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> progress.forget(p.topic(), p.partition()));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // progress starts with the first poll that sees the partition
                }
            });
            Duration backoff = POLL;
            while (running) {
                ConsumerRecords<String, String> records = c.poll(POLL);
                trackWaiting(c, records);
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, Long> committed = new HashMap<>();
                List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.count());
                records.forEach(batch::add);
                try {
                    writer.write(batch, new Sink(committed)).await().indefinitely();
                    backoff = POLL;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    Log.errorf(e, "enriching %d records failed, a sink is down; they are read again in %s", records.count(), backoff);
                    failedCounter.increment();
                    rewind(records, committed);
                    Thread.sleep(backoff);
                    backoff = longer(backoff);
                }
            }
        }
    }

    /** Where each partition of the loop stands: records wait when read and not yet processed, or not yet read. */
    private void trackWaiting(KafkaConsumer<String, String> c, ConsumerRecords<String, String> records) {
        for (TopicPartition partition : c.assignment()) {
            boolean read = !records.records(partition).isEmpty();
            progress.waiting(partition.topic(), partition.partition(), read || c.currentLag(partition).orElse(0) > 0);
        }
    }

    /** The batch's writes, each one Kafka transaction with the offsets of the records it covers. */
    private final class Sink implements BatchWriter.Sink<ConsumerRecord<String, String>> {
        private final Map<TopicPartition, Long> committed;

        Sink(Map<TopicPartition, Long> committed) {
            this.committed = committed;
        }

        @Override
        public Uni<Void> write(List<ConsumerRecord<String, String>> records) {
            return Uni.createFrom().item(() -> {
                enrich(records);
                done(records, committed);
                return records;
            }).replaceWithVoid();
        }

        @Override
        public Uni<Void> quarantine(ConsumerRecord<String, String> record, Throwable failure) {
            return Uni.createFrom().item(() -> {
                Log.errorf("events.raw record %d/%d fails on its own while the sinks answer; quarantined: %s",
                        record.partition(), record.offset(), failure.toString());
                InvalidEvent invalid = Quarantine.invalidEvent(Quarantine.appOf(record.key(), record.value()), failure, record.value(),
                        record.topic(), record.partition(), record.offset());
                // before the record is done: should the transaction fail, the record is read again and seen again
                enrichment.forget(input(record)).await().atMost(config.loop().batchTimeout());
                transact(p -> send(p, invalid), offsets(List.of(record)));
                quarantine.counted(record.topic(), Quarantine.REASON);
                done(List.of(record), committed);
                return record;
            }).replaceWithVoid();
        }

        /** Waits for the answer here, so that the writes that follow stay on the loop's thread. */
        @Override
        public Uni<Boolean> answers() {
            return Uni.createFrom().item(() -> PostgresProbe.answers(pool).await().atMost(PROBE_TIMEOUT));
        }
    }

    private void enrich(List<ConsumerRecord<String, String>> records) {
        List<EnrichmentService.Input> inputs = records.stream().map(RawEventLoop::input).toList();
        EnrichedBatch batch = enrichment.process(inputs).await().atMost(config.loop().batchTimeout());
        Instant now = Instant.now();
        transact(p -> {
            for (EnrichedEvent event : batch.enriched()) {
                p.send(new ProducerRecord<>(enrichedCodec.topic(), Topics.userKey(event.appId(), event.userId()), enrichedCodec.write(event)));
            }
            for (RejectedRecord rejected : batch.rejected()) {
                send(p, new InvalidEvent(rejected.appId(), rejected.reason(), rejected.error(), rejected.payload(),
                        rejected.source().topic(), rejected.source().partition(), rejected.source().offset(), now));
            }
            for (DroppedResend resend : batch.duplicates()) {
                SourcePosition source = resend.event().source();
                send(p, new InvalidEvent(resend.event().appId(), InvalidEvent.DUPLICATE, "event_id " + resend.event().event().eventId()
                        + " was seen before", resend.event().payload(), source.topic(), source.partition(), source.offset(), now, resend.day()));
            }
        }, offsets(records));
        for (RejectedRecord rejected : batch.rejected()) {
            registry.counter("pulse.enrich.events.invalid", "app", String.valueOf(rejected.appId()), "reason", rejected.reason()).increment();
        }
        enrichedCounter.increment(batch.enriched().size());
        duplicatesCounter.increment(batch.duplicates().size());
    }

    private static EnrichmentService.Input input(ConsumerRecord<String, String> record) {
        return new EnrichmentService.Input(record.value(), new SourcePosition(record.topic(), record.partition(), record.offset()));
    }

    private void send(KafkaProducer<String, byte[]> p, InvalidEvent invalid) {
        p.send(new ProducerRecord<>(invalidCodec.topic(), invalid.appId(), invalidCodec.write(invalid)));
    }

    /** One Kafka transaction: the sends, then the offsets that say the records are done. */
    private void transact(Consumer<KafkaProducer<String, byte[]>> sends, Map<TopicPartition, OffsetAndMetadata> offsets) {
        KafkaProducer<String, byte[]> p = producer();
        try {
            p.beginTransaction();
            sends.accept(p);
            p.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            p.commitTransaction();
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(List<ConsumerRecord<String, String>> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            next.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return next;
    }

    /** Records committed: their partitions made progress, and a rewind starts after them. */
    private void done(List<ConsumerRecord<String, String>> records, Map<TopicPartition, Long> committed) {
        offsets(records).forEach((partition, next) -> {
            committed.merge(partition, next.offset(), Math::max);
            progress.progressed(partition.topic(), partition.partition());
        });
    }

    /** Back to the first record of the batch not yet committed in each of its partitions. */
    private void rewind(ConsumerRecords<String, String> records, Map<TopicPartition, Long> committed) {
        for (TopicPartition partition : records.partitions()) {
            if (consumer.assignment().contains(partition)) {
                long first = records.records(partition).getFirst().offset();
                consumer.seek(partition, committed.getOrDefault(partition, first));
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

    private boolean pause(Duration backoff) {
        try {
            Thread.sleep(backoff);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Duration longer(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : doubled;
    }
}
