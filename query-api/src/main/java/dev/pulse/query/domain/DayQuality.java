package dev.pulse.query.domain;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.LocalDate;
import java.util.Map;

/**
 * {@code GET /v1/quality}: a day's data quality as it stands (live), and once the day has ended in the app's timezone
 * the daily close's snapshot ({@code closed}, null before).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DayQuality(String app, LocalDate date, long accepted, long rejected, Map<String, Long> rejectedByReason, long duplicates,
        long late, long clockClamped, Double validationRate, Freshness freshnessSeconds, Double completeness, long activeUsers,
        Closed closed) {

    /** Seconds from receipt to storage, median and 99th percentile (0 without events). */
    public record Freshness(double p50, double p99) {
    }

    /** What the daily close recorded, and whether the incremental facts agreed with the raw store (repaired when not). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Closed(String closedAt, Double completeness, boolean factsConsistent, boolean repaired) {
    }
}
