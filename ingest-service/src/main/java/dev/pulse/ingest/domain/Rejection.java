package dev.pulse.ingest.domain;

/** One event of a request that was not accepted, by its position in the request. */
public record Rejection(int index, String error) {
}
