package dev.pulse.enrich.domain;

import dev.pulse.contract.Event;
import dev.pulse.contract.RawEvent;

/** A raw record that passed validation again; {@code payload} is the record as read. */
public record AcceptedEvent(RawEvent raw, Event event, SourcePosition source, String payload) {
    public String appId() {
        return raw.appId();
    }
}
