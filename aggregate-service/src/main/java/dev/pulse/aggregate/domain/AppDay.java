package dev.pulse.aggregate.domain;

import java.time.LocalDate;

/** An app's app-local day. */
public record AppDay(String appId, LocalDate date) {
}
