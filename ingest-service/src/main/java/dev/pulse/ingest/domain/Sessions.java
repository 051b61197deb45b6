package dev.pulse.ingest.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body and answer of {@code PUT /v1/admin/apps/{app}/sessions}: the inactivity that ends a session without a session_id. */
public record Sessions(String app, @JsonProperty("timeout_seconds") int timeoutSeconds) {
}
