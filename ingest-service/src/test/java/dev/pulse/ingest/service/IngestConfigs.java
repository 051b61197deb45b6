package dev.pulse.ingest.service;

import dev.pulse.ingest.config.IngestConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;

/** An {@link IngestConfig} without Quarkus: its defaults, with Quarkus's duration syntax ("1h"), and the given values. */
final class IngestConfigs {
    private IngestConfigs() {
    }

    /** @param keyValues property names under {@code pulse.ingest.} and their values, alternately */
    static IngestConfig with(String... keyValues) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withMapping(IngestConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter());
        for (int i = 0; i < keyValues.length; i += 2) {
            builder.withDefaultValue("pulse.ingest." + keyValues[i], keyValues[i + 1]);
        }
        return builder.build().getConfigMapping(IngestConfig.class);
    }
}
