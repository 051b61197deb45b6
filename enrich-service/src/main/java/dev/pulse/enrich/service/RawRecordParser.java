package dev.pulse.enrich.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.EventValidator;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.StorableText;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Validation;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.RejectedRecord;
import dev.pulse.enrich.domain.SourcePosition;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;

/**
 * Reads an events.raw record and applies the SPEC §2 rules again: anything may have been written to the topic,
 * and a record that fails becomes a {@link RejectedRecord} rather than stopping the stream.
 */
@ApplicationScoped
public class RawRecordParser {
    private final TopicCodec<RawEvent> codec;

    public RawRecordParser(ObjectMapper mapper) {
        this.codec = TopicCodec.raw(mapper);
    }

    /** @return an {@link AcceptedEvent} or a {@link RejectedRecord} */
    public Object parse(String value, SourcePosition source) {
        RawEvent raw;
        try {
            raw = value == null ? null : codec.read(value);
        } catch (IOException e) {
            return new RejectedRecord(null, "payload", "payload: not a raw event (" + e.getMessage().lines().findFirst().orElse("") + ")", value, source);
        }
        if (raw == null || raw.appId() == null || raw.receivedAt() == null || raw.event() == null) {
            return new RejectedRecord(raw == null ? null : raw.appId(), "payload",
                    "payload: app_id, received_at and event are required", value, source);
        }
        String appProblem = StorableText.problem(raw.appId());
        if (appProblem != null) {
            // before it reaches a query of the apps, which PostgreSQL would refuse for the whole batch
            return new RejectedRecord(raw.appId(), "app_id", "app_id: " + appProblem, value, source);
        }
        return switch (EventValidator.validate(raw.event())) {
            case Validation.Valid valid when valid.event().eventId() == null || valid.event().timestamp() == null ->
                    new RejectedRecord(raw.appId(), "event_id", "event_id and timestamp: set by ingest, missing", value, source);
            case Validation.Valid valid -> new AcceptedEvent(raw, valid.event(), source, value);
            case Validation.Invalid invalid -> new RejectedRecord(raw.appId(), invalid.family(), invalid.message(), value, source);
        };
    }
}
