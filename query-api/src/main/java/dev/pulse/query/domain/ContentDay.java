package dev.pulse.query.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * A content item's figures on one app-local day ({@code date}) or over a whole range ({@code date} null): plays,
 * distinct users who played it, engagement events and seconds, and the mean engagement share (4 decimal places,
 * null when no engagement had a known length).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ContentDay(@JsonInclude(JsonInclude.Include.NON_NULL) LocalDate date, long plays, long players, long events, double engagementSeconds, BigDecimal avgEngagementPct) {
}
