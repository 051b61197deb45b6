package dev.pulse.query.domain;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** The answer of {@code POST /v1/funnel}: per breakdown group (one, with a null value, without a breakdown), its steps. */
public record FunnelResponse(List<Group> results, Map<String, Object> meta, Map<String, Object> query) {

    public record Group(@JsonProperty("breakdown_value") String breakdownValue, List<StepFigures> steps) {
    }

    /**
     * One step: users reaching it, their share of the first step's and of the previous step's users (4 decimal
     * places), the users of the previous step who did not reach it, and the seconds from the previous step's event
     * to this one's (median and 90th percentile by nearest rank; null for the first step or when nobody reached it).
     */
    public record StepFigures(int step, String event, long users,
            @JsonProperty("conversion_from_first") double conversionFromFirst,
            @JsonProperty("conversion_from_previous") double conversionFromPrevious,
            @JsonProperty("drop_off") long dropOff,
            @JsonProperty("median_seconds_from_previous") Double medianSecondsFromPrevious,
            @JsonProperty("p90_seconds_from_previous") Double p90SecondsFromPrevious) {
    }
}
