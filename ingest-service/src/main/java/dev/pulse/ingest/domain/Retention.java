package dev.pulse.ingest.domain;

/** Body and answer of {@code PUT /v1/admin/apps/{app}/retention}: days kept, {@code null} for the deployment's default. */
public record Retention(String app, Integer days) {
}
