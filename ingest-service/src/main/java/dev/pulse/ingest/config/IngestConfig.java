package dev.pulse.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "pulse.ingest")
public interface IngestConfig {

    /** Largest accepted body, compressed or not (SPEC §2: 1 MiB). */
    @WithDefault("1048576")
    int maxBodyBytes();

    @WithDefault("1000")
    int maxEventsPerRequest();

    @WithDefault("32768")
    int maxEventBytes();

    /** Events further ahead of the receive time than this, after skew correction, are clamped. */
    @WithDefault("1h")
    Duration futureTolerance();

    /**
     * The largest difference between a batch's {@code sent_at} and the receive time that is corrected (SPEC §2
     * clock skew); a batch beyond it is refused with 400, so that a wrong clock cannot move events to any date.
     */
    @WithDefault("24h")
    Duration maxClockSkew();

    /** How long a request may wait for Kafka's acknowledgements before it answers 503. */
    @WithDefault("10s")
    Duration produceTimeout();

    /** Retry-After sent with 503. */
    @WithDefault("5")
    int unavailableRetryAfterSeconds();

    RateLimit rateLimit();

    Admin admin();

    Topics topics();

    interface RateLimit {
        /** Sustained events per second per app, across all ingest replicas together (while Redis answers). */
        @WithDefault("50000")
        double eventsPerSecond();

        /** Bucket size: the largest burst an app may send at once. */
        @WithDefault("100000")
        double burst();

        Redis redis();

        /** The global bucket in Redis, and how ingest falls back to a per-instance bucket when Redis fails. */
        interface Redis {
            /** Off: every replica limits on its own (each grants the full rate), and ingest never talks to Redis. */
            @WithDefault("true")
            boolean enabled();

            /** How long a request waits for Redis's answer before its app is limited by the local bucket instead. */
            @WithDefault("100ms")
            Duration timeout();

            /** After a failure, requests skip Redis this long, so that an outage does not add the timeout to each of them. */
            @WithDefault("1s")
            Duration retryAfter();

            /** At most one log line per this interval about Redis failing (each fallback is counted in the metric). */
            @WithDefault("30s")
            Duration logInterval();
        }
    }

    interface Admin {
        /** Bearer token of the admin endpoints; without it they answer 401. */
        Optional<String> token();
    }

    interface Topics {
        /** Whether start-up creates the topics; off where they are declared (KafkaTopic) and the service may not create them. */
        @WithDefault("true")
        boolean create();

        @WithDefault("6")
        int partitions();

        @WithDefault("1")
        short replicationFactor();

        /** How long {@code control.erasures} keeps a command (it names the user). */
        @WithDefault("7d")
        Duration erasuresRetention();

        /** How long start-up waits for the broker to create topics before going on without (readiness stays down). */
        @WithDefault("30s")
        Duration creationTimeout();
    }
}
