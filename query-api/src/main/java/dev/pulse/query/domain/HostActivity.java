package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/** {@code GET /v1/hosts/{host}/activity}: a host's hits and distinct visitors per day of a month (element i = day i + 1). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record HostActivity(String app, String host, String month, List<Long> hitArray, List<Long> uniqueVisitorsArray) {
}
