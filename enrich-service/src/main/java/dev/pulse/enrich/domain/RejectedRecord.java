package dev.pulse.enrich.domain;

import dev.pulse.contract.StorableText;

/**
 * A raw record that cannot be enriched. Its text is made storable (NUL and unpaired surrogates escaped, only when
 * present): anything may have been written to events.raw, and aggregate must be able to keep the rejection.
 *
 * @param reason the field at fault (or {@code payload}, {@code app}), bounded for counting
 * @param error  the full message
 */
public record RejectedRecord(String appId, String reason, String error, String payload, SourcePosition source) {
    public RejectedRecord {
        appId = storable(appId);
        error = storable(error);
        payload = storable(payload);
    }

    private static String storable(String text) {
        return text == null || StorableText.problem(text) == null ? text : StorableText.escape(text);
    }
}
