package dev.pulse.enrich.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "pulse.enrich")
public interface EnrichConfig {

    Topics topics();

    Caches caches();

    /** How long event ids are remembered for dedup; a resend older than this counts again. */
    @WithDefault("30d")
    Duration dedupRetention();

    interface Topics {
        @WithDefault("6")
        int partitions();

        @WithDefault("1")
        short replicationFactor();
    }

    interface Caches {
        @WithDefault("10000")
        long contentSize();

        @WithDefault("10m")
        Duration contentTtl();

        @WithDefault("30s")
        Duration appTtl();

        @WithDefault("20000")
        int userAgentSize();
    }
}
