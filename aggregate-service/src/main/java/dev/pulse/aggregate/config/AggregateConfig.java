package dev.pulse.aggregate.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.aggregate")
public interface AggregateConfig {

    Realtime realtime();

    Partitions partitions();

    Admin admin();

    interface Realtime {
        /** How far back the per-minute views reach (SPEC: "last N minutes"; N up to this). */
        @WithDefault("1h")
        Duration window();

        @WithDefault("20")
        int recentPerContent();

        /** How often Redis is checked for lost views (read by the scheduler). */
        @WithDefault("10s")
        Duration checkEvery();
    }

    interface Partitions {
        /** Daily raw-store partitions are created this many days ahead. */
        @WithDefault("3")
        int daysAhead();

        /** Raw-store partitions older than this are dropped; 0 keeps everything. */
        @WithDefault("400")
        int retentionDays();

        /** How often partitions are maintained (read by the scheduler). */
        @WithDefault("1h")
        Duration checkEvery();
    }

    interface Admin {
        /** Bearer token of the recompute endpoint. */
        Optional<String> token();
    }
}
