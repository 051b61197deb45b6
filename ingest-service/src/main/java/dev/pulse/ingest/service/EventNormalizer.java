package dev.pulse.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.Event;
import dev.pulse.contract.RawEvent;
import dev.pulse.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;

/**
 * Gives a validated event its final id and time: a UUIDv7 where the client sent none, the SPEC §2 clock-skew
 * correction with a batch {@code sent_at}, and the clamp of events still too far in the future.
 */
@ApplicationScoped
public class EventNormalizer {
    private final Duration futureTolerance;

    public EventNormalizer(IngestConfig config) {
        this.futureTolerance = config.futureTolerance();
    }

    public RawEvent normalize(String appId, JsonNode original, Event event, Instant receivedAt, Instant sentAt) {
        Instant timestamp = event.timestamp() == null ? receivedAt : event.timestamp();
        if (event.timestamp() != null && sentAt != null) {
            timestamp = timestamp.plus(Duration.between(sentAt, receivedAt));
        }
        boolean clamped = timestamp.isAfter(receivedAt.plus(futureTolerance));
        if (clamped) {
            timestamp = receivedAt;
        }
        // the request's own tree, used once: filled in place rather than copied
        ObjectNode normalized = (ObjectNode) original;
        normalized.put("event_id", (event.eventId() == null ? UuidV7.next(receivedAt.toEpochMilli()) : event.eventId()).toString());
        normalized.put("timestamp", timestamp.toString());
        normalized.put("user_id", event.userId());
        return new RawEvent(appId, receivedAt, clamped, normalized);
    }
}
