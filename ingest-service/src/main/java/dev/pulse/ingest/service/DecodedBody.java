package dev.pulse.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * The events of one request, in order. An element is null where that NDJSON line was not JSON;
 * {@code sentAt} is the batch's client clock when it sent one.
 */
public record DecodedBody(List<JsonNode> events, List<String> lineErrors, Instant sentAt) {

    /** Why element {@code index} could not be read, or null. */
    public String lineError(int index) {
        return index < lineErrors.size() ? lineErrors.get(index) : null;
    }
}
