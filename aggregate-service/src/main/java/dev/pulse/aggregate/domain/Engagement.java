package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;

/** Engagement summed over events: seconds, and the sum and count of the percentages that were given. */
public record Engagement(double seconds, double pctSum, int pctCount) {
    public static Engagement of(EnrichedEvent event) {
        return new Engagement(event.engagementSeconds() == null ? 0 : event.engagementSeconds(),
                event.engagementPct() == null ? 0 : event.engagementPct(), event.engagementPct() == null ? 0 : 1);
    }

    public Engagement plus(Engagement other) {
        return new Engagement(seconds + other.seconds, pctSum + other.pctSum, pctCount + other.pctCount);
    }
}
