package dev.pulse.enrich.domain;

import java.time.ZoneId;
import java.util.Map;

/** What enrichment needs of an app: its calendar and its custom event categories. */
public record AppSettings(String appId, ZoneId zone, Map<String, String> categories) {
}
