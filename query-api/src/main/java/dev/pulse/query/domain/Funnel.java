package dev.pulse.query.domain;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * A validated {@code POST /v1/funnel}: ordered steps, the conversion window counted from the first step's event,
 * the app-local days the first step may fall on, and an optional breakdown (a user trait or the device).
 */
public record Funnel(App app, List<Step> steps, Duration window, LocalDate from, LocalDate to, Dimension breakdown) {

    /** An event name and the filters its events must also pass. */
    public record Step(String event, List<Filter> filters) {
    }
}
