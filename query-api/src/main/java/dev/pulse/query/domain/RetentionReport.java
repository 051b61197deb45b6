package dev.pulse.query.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** {@code GET /v1/retention}: the cohorts of a range; {@code breakdown} (the trait splitting them) only when asked. */
public record RetentionReport(String app, String period, int horizon, @JsonInclude(JsonInclude.Include.NON_NULL) String breakdown,
        List<Cohort> cohorts) {

    /**
     * Users first seen in period {@code cohort} (its first day); with a breakdown, those in one group
     * ({@code breakdown_value}). retained[N] of them were active N periods later, rates[N] = retained[N] / size.
     */
    public record Cohort(String cohort, @JsonProperty("breakdown_value") @JsonInclude(JsonInclude.Include.NON_NULL) String group,
            long size, List<Long> retained, List<Double> rates) {
    }
}
