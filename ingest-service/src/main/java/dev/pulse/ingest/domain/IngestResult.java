package dev.pulse.ingest.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.UUID;

/** The 202 body of {@code POST /v1/events}. */
public record IngestResult(int accepted, List<Rejection> rejected, @JsonProperty("event_ids") List<UUID> eventIds) {
}
