package dev.pulse.query.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "pulse.query")
public interface QueryConfig {

    /** Longest date range a query may span (SPEC §6). */
    @WithDefault("400")
    int maxRangeDays();

    @WithDefault("10000")
    int maxLimit();

    /**
     * Rows a query may hold in memory: groups of an answer (time buckets filled in included) and the (group, user)
     * partials read from the rollup. Read with {@code LIMIT max-rows + 1}, so a larger question fails fast (400).
     */
    @WithDefault("100000")
    int maxRows();

    /**
     * PostgreSQL's statement_timeout on query-api's connections (set from this value in application.properties);
     * here for the answer's advice.
     */
    long statementTimeoutMs();

    /** PostgreSQL's lock_timeout on query-api's connections (set from this value in application.properties). */
    long lockTimeoutMs();

    /** Largest {@code POST /v1/query} body; a larger one is a 413. */
    @WithDefault("65536")
    int maxBodyBytes();

    /** Queries of one app that may run at once on one instance; one more is a 429. */
    @WithDefault("4")
    int maxConcurrentPerApp();

    /** Retry-After sent with that 429. */
    @WithDefault("1")
    int retryAfterSeconds();

    /** The real-time window aggregate-service keeps in Redis; /v1/realtime answers at most this many minutes. */
    @WithDefault("60")
    int realtimeMaxMinutes();

    /**
     * Made-up state rows of a month by post read and merged at start, before the instance is ready
     * (DayStateService#warmUp); 0 turns it off.
     */
    @WithDefault("50000")
    int warmUpRows();

    /**
     * How many times the warm-up reads and merges its month (0 to 10; 0 turns it off), each given up after twice the
     * statement timeout: the JIT compiles a method fully only after thousands of calls, and what one pass leaves half
     * compiled is compiled while the first answers wait.
     */
    @WithDefault("3")
    int warmUpPasses();

    Cache cache();

    /**
     * Cache of answers and per-user partials about closed days (see ClosedDayCache), bounded by their total rows
     * and (group, user) entries, a few hundred bytes each; 0 turns it off.
     */
    interface Cache {
        @WithDefault("200000")
        long weight();

        @WithDefault("10m")
        Duration ttl();

        /** How long after midnight a day counts as closed: on-time events of its last seconds are through by then. */
        @WithDefault("5m")
        Duration settle();

        /**
         * Bytes of funnel state of closed weeks (each event name's times per user, decoded) kept between funnels, so a
         * funnel reads only its open weeks from PostgreSQL; 0 turns it off.
         */
        @WithDefault("67108864")
        long funnelStateBytes();
    }
}
