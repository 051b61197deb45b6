package dev.pulse.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.Event;
import dev.pulse.contract.RawEvent;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.ingest.config.IngestConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Gives a validated event its final id and time: the SPEC §2 clock-skew correction with a batch {@code sent_at},
 * and the clamp of events still too far in the future.
 */
@ApplicationScoped
public class EventNormalizer {
    /** An event's time as stored, and whether it was clamped to the receive time. */
    public record EventTime(Instant timestamp, boolean clamped) {
    }

    private final Duration futureTolerance;
    private final Duration maxClockSkew;

    public EventNormalizer(IngestConfig config) {
        this.futureTolerance = config.futureTolerance();
        this.maxClockSkew = config.maxClockSkew();
    }

    /**
     * A {@code sent_at} further from the receive time than the allowed skew would move every event of the batch by
     * that much, to any date: the whole request is refused rather than stored at the wrong time.
     */
    public void checkSentAt(Instant sentAt, Instant receivedAt) {
        if (sentAt != null && Duration.between(sentAt, receivedAt).abs().compareTo(maxClockSkew) > 0) {
            throw ProblemException.badRequest("sent_at is " + Duration.between(sentAt, receivedAt).abs().toSeconds()
                    + " s from the time the request was received; at most " + maxClockSkew.toSeconds()
                    + " s of clock skew is corrected: fix the client clock or leave sent_at out", "sent_at");
        }
    }

    public EventTime time(Event event, Instant receivedAt, Instant sentAt) {
        Instant timestamp = event.timestamp() == null ? receivedAt : event.timestamp();
        if (event.timestamp() != null && sentAt != null) {
            timestamp = timestamp.plus(Duration.between(sentAt, receivedAt));
        }
        boolean clamped = timestamp.isAfter(receivedAt.plus(futureTolerance));
        return new EventTime(clamped ? receivedAt : timestamp, clamped);
    }

    /** @param eventId the client's {@code event_id}, else the one Pulse generated */
    public RawEvent normalize(String appId, JsonNode original, Event event, EventTime time, UUID eventId, Instant receivedAt) {
        // the request's own tree, used once: filled in place rather than copied
        ObjectNode normalized = (ObjectNode) original;
        normalized.put("event_id", eventId.toString());
        normalized.put("timestamp", time.timestamp().toString());
        normalized.put("user_id", event.userId());
        return new RawEvent(appId, receivedAt, time.clamped(), normalized);
    }
}
