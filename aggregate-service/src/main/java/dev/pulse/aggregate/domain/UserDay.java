package dev.pulse.aggregate.domain;

import java.time.LocalDate;

/** A user's app-local day. */
public record UserDay(String appId, LocalDate date, String userId) {
}
