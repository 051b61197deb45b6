package dev.pulse.enrich.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.consumer.InvalidEventPublisher;
import dev.pulse.consumer.PartitionProgress;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Map;

/** The consumer-safety pieces enrich's loops share. */
public class ConsumerSafety {

    /** Progress of every partition enrich consumes (events.raw, catalog.content), for readiness and the gauge. */
    @Produces
    @Singleton
    PartitionProgress progress(MeterRegistry registry, EnrichConfig config) {
        return new PartitionProgress(registry, "pulse.enrich.partition.seconds.without.progress", config.loop().stalledAfter());
    }

    /** Quarantines catalog records (the events.raw loop quarantines inside its own transactions). */
    @Produces
    @Singleton
    InvalidEventPublisher publisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, ObjectMapper mapper) {
        return new InvalidEventPublisher(kafka, mapper);
    }

    void close(@Disposes InvalidEventPublisher publisher) {
        publisher.close();
    }
}
