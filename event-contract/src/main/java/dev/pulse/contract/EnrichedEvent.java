package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

/**
 * Value of {@link Topics#ENRICHED}: a validated, deduplicated event with everything aggregation needs,
 * flat so that facts can be computed without parsing properties again.
 *
 * @param user       traits attached by enrichment: the event's own, else the user's latest known ones
 * @param eventDate  the app-local calendar day of {@code timestamp}
 * @param late       arrived after its app-local day had ended
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EnrichedEvent(
        String appId,
        UUID eventId,
        String event,
        String category,
        String userId,
        @JsonDeserialize(using = IsoInstantDeserializer.class) Instant timestamp,
        LocalDate eventDate,
        @JsonDeserialize(using = IsoInstantDeserializer.class) Instant receivedAt,
        boolean clockClamped,
        boolean late,
        String sessionId,
        ObjectNode properties,
        Long postId,
        String receiverId,
        String contentId,
        String action,
        Long durationMs,
        BigDecimal revenue,
        String currency,
        UserTraits user,
        String device,
        String os,
        String browser,
        String host,
        String url,
        String referrer,
        String contentTitle,
        String contentType,
        Integer lengthSeconds,
        Double engagementSeconds,
        Double engagementPct) {
}
