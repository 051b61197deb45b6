package dev.pulse.ingest.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Answer of {@code DELETE /v1/admin/apps/{app}/users/{user_id}} and of the erasure's status URL: {@code completed} once
 * every service that holds user data has committed its part ({@code services} lists those that have).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ErasureStatus(UUID erasureId, String app, String status, Instant requestedAt, String requestedBy,
        Map<String, ServicePart> services) {
    public static final String PENDING = "pending";
    public static final String COMPLETED = "completed";

    /** What one service deleted, per table. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServicePart(Instant completedAt, Map<String, Long> deletedRows) {
    }
}
