package dev.pulse.enrich.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "pulse.enrich")
public interface EnrichConfig {

    Topics topics();

    Caches caches();

    Loop loop();

    /** How long event ids are remembered for dedup; a resend older than this counts again. */
    @WithDefault("30d")
    Duration dedupRetention();

    interface Topics {
        /** Whether start-up creates the topics; off where they are declared (KafkaTopic) and the service may not create them. */
        @WithDefault("true")
        boolean create();

        @WithDefault("6")
        int partitions();

        @WithDefault("1")
        short replicationFactor();
    }

    /** The consumer/transactional-producer loop over events.raw (see RawEventLoop). */
    interface Loop {
        @WithDefault("enrich-service")
        String groupId();

        /** Each process's transactional id is this and a random UUID: a new producer of an instance fences the one it replaces. */
        @WithDefault("enrich-")
        String transactionalIdPrefix();

        /** Records per batch: one dedup round trip and one Kafka transaction each. */
        @WithDefault("500")
        int maxPollRecords();

        /** Longest a batch's database work may take before the batch is given up and read again. */
        @WithDefault("30s")
        Duration batchTimeout();

        /** After a crash, a transaction left open blocks read_committed consumers until it times out: keep it short. */
        @WithDefault("10s")
        Duration transactionTimeout();

        /** A killed instance's partitions move to the others after this long. */
        @WithDefault("10s")
        Duration sessionTimeout();

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
