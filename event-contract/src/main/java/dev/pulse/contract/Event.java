package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.UUID;

/**
 * One event that passed {@link EventValidator}: SPEC §2 fields, normalised ({@code user_id} as a string).
 * {@code eventId} and {@code timestamp} may be null until ingest fills them.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(String event, String userId, UUID eventId, Instant timestamp, String sessionId,
        ObjectNode properties, UserTraits user, EventContext context) {
}
