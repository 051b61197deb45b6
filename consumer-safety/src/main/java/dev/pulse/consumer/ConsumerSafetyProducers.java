package dev.pulse.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;

/** The pieces a service's consuming loops share, one of each per service. */
@Dependent
public class ConsumerSafetyProducers {

    /** Progress of every partition the service consumes, for readiness and the per-partition gauge. */
    @Produces
    @Singleton
    PartitionProgress progress(MeterRegistry registry, ConsumersConfig config) {
        return new PartitionProgress(registry, "pulse." + config.service() + ".partition.seconds.without.progress", config.stalledAfter());
    }

    @Produces
    @Singleton
    Quarantine quarantine(MeterRegistry registry, ConsumersConfig config) {
        return new Quarantine(registry, config.service());
    }

    /** Halves failing batches; waits while a sink is down. */
    @Produces
    @Singleton
    BatchWriter writer(ConsumersConfig config) {
        return new BatchWriter(config.attemptsPerSlice(), Duration.ofMillis(200), Duration.ofSeconds(10), BatchWriter.WhileDown.WAIT);
    }

    @Produces
    @Singleton
    InvalidEventPublisher publisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, ObjectMapper mapper) {
        return new InvalidEventPublisher(kafka, mapper);
    }

    void close(@Disposes InvalidEventPublisher publisher) {
        publisher.close();
    }
}
