package dev.pulse.ingest.domain;

import java.util.Map;

/**
 * Body and answer of {@code PUT /v1/admin/apps/{app}/categories}: the app's custom event names and the SPEC §2
 * category each counts under (events it does not name are {@code other}).
 */
public record Categories(String app, Map<String, String> categories) {
}
