package dev.pulse.ingest.domain;

/** An app as ingest needs it: who it is and which calendar its days follow. */
public record App(String appId, String timezone) {
}
