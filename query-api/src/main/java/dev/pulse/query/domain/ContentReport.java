package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;
import java.util.List;

/** {@code GET /v1/content/{id}}: the range's totals (distinct players over the range), every day, and the catalog entry. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ContentReport(String app, String contentId, String title, String contentType, Integer lengthSeconds,
        LocalDate from, LocalDate to, ContentDay totals, List<ContentDay> days) {
}
