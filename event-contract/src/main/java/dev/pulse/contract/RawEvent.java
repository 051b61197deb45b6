package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * Value of {@link Topics#RAW}: the accepted event as ingest normalised it ({@code event_id} and corrected
 * {@code timestamp} filled in), kept as JSON so that enrich can validate it again with the same rules.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RawEvent(String appId, @JsonDeserialize(using = IsoInstantDeserializer.class) Instant receivedAt, boolean clockClamped, JsonNode event) {
}
