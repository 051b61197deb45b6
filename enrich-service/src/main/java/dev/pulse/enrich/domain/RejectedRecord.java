package dev.pulse.enrich.domain;

/**
 * A raw record that cannot be enriched.
 *
 * @param reason the field at fault (or {@code payload}, {@code app}), bounded for counting
 * @param error  the full message
 */
public record RejectedRecord(String appId, String reason, String error, String payload, SourcePosition source) {
}
