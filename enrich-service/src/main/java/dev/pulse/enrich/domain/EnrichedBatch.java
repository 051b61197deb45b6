package dev.pulse.enrich.domain;

import dev.pulse.contract.EnrichedEvent;

import java.util.List;

/** What one raw batch turns into: enriched events, rejected records, and the resends it dropped. */
public record EnrichedBatch(List<EnrichedEvent> enriched, List<RejectedRecord> rejected, List<DroppedResend> duplicates) {
}
