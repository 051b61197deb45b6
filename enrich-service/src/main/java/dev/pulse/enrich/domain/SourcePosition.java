package dev.pulse.enrich.domain;

/** Where a record was read, for dedup (redelivery vs resend) and for events.invalid. */
public record SourcePosition(String topic, int partition, long offset) {
}
