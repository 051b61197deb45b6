package dev.pulse.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Value of {@link Topics#INVALID}: why a record was refused, and the record itself, byte for byte.
 *
 * @param reason    the field at fault, {@code unprocessable} for a record a consumer gave up on (see consumer-safety),
 *                  or {@code duplicate} for a resend enrich dropped (counted, not rejected)
 * @param eventDate for a duplicate: the app's day it counts for
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InvalidEvent(String appId, String reason, String error, String payload, String sourceTopic,
        int sourcePartition, long sourceOffset, Instant rejectedAt, LocalDate eventDate) {
    public static final String DUPLICATE = "duplicate";

    public InvalidEvent(String appId, String reason, String error, String payload, String sourceTopic,
            int sourcePartition, long sourceOffset, Instant rejectedAt) {
        this(appId, reason, error, payload, sourceTopic, sourcePartition, sourceOffset, rejectedAt, null);
    }

    /** Whether the record was read from a Kafka topic (not refused at the HTTP edge). */
    public boolean hasKafkaSource() {
        return sourceTopic != null && sourcePartition >= 0 && sourceOffset >= 0;
    }
}
