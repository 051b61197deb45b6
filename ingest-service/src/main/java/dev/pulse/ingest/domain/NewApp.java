package dev.pulse.ingest.domain;

/** Body of {@code POST /v1/admin/apps}. */
public record NewApp(String app, String timezone) {
}
