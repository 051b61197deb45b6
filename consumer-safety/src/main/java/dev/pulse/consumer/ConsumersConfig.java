package dev.pulse.consumer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How every consuming loop of a service keeps moving and reports it. */
@ConfigMapping(prefix = "pulse.consumers")
public interface ConsumersConfig {
    /** The service's name in metric names: {@code enrich} gives {@code pulse_enrich_records_quarantined_total}. */
    String service();

    /** Not ready when a partition with records waiting made no progress for this long. */
    @WithDefault("60s")
    Duration stalledAfter();

    /**
     * Writes of a slice of a batch that fail, while the sink answers, before it is halved; a single record that
     * fails this often is quarantined.
     */
    @WithDefault("3")
    int attemptsPerSlice();
}
