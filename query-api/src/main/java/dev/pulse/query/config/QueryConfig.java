package dev.pulse.query.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
}
