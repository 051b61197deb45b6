package dev.pulse.enrich.domain;

import java.time.LocalDate;

/** A resend of an event already seen, dropped; it counts as a duplicate of the app's day {@code day}. */
public record DroppedResend(AcceptedEvent event, LocalDate day) {
}
