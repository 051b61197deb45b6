package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** Value of {@link Topics#INVALID}: why a record was refused, and the record itself, byte for byte. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InvalidEvent(String appId, String reason, String error, String payload, String sourceTopic,
        int sourcePartition, long sourceOffset, Instant rejectedAt) {
}
