package dev.pulse.enrich.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.EventValidator;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.Validation;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.SourcePosition;

import java.io.UncheckedIOException;
import java.time.Instant;

/** events.raw records as enrich accepts them, for tests of what it makes of them. */
final class AcceptedEvents {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private AcceptedEvents() {
    }

    /** Event {@code name} of user u1 at {@code timestamp}, with {@code fields} (JSON members, or "") next to them. */
    static AcceptedEvent accepted(String name, String timestamp, String fields, Instant receivedAt) {
        String json = "{\"event\":\"" + name + "\",\"user_id\":\"u1\",\"event_id\":\"0190b5a4-7c3e-7000-8000-000000000001\","
                + "\"timestamp\":\"" + timestamp + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return switch (EventValidator.validate(node)) {
            case Validation.Valid valid ->
                    new AcceptedEvent(new RawEvent("app", receivedAt, false, node), valid.event(), new SourcePosition("events.raw", 0, 0), json);
            case Validation.Invalid invalid -> throw new IllegalArgumentException("test event is invalid: " + invalid.message());
        };
    }
}
