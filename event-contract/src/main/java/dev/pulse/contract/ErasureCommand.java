package dev.pulse.contract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.UUID;

/**
 * Value of {@link Topics#ERASURES}: erase one user of one app. enrich-service and aggregate-service each execute it
 * once per {@code erasureId} (a redelivery finds their completion row and does nothing) and record completion in
 * their own table ({@code enrich_erasures}, {@code aggregate_erasures}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ErasureCommand(UUID erasureId, String appId, String userId, Instant requestedAt) {

    /** Stands in for the erased user where other users' events name them (a message's receiver): one per erasure, unlinkable to the user id. */
    public String pseudonym() {
        return "erased-" + erasureId;
    }
}
