package dev.pulse.ingest.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.OffsetDateTime;

/** Body of {@code PUT /v1/catalog/content/{content_id}} as OpenAPI shows it; {@code ContentValidator} reads and checks it. */
public record ContentUpdate(String title, @JsonProperty("content_type") String contentType,
        @JsonProperty("length_seconds") Integer lengthSeconds, @JsonProperty("publish_ts") OffsetDateTime publishTs) {
}
