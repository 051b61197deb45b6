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

    /** The real-time window aggregate-service keeps in Redis; /v1/realtime answers at most this many minutes. */
    @WithDefault("60")
    int realtimeMaxMinutes();

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
    }
}
