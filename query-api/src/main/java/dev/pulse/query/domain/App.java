package dev.pulse.query.domain;

import java.time.ZoneId;

/** The app a read token belongs to, with the calendar its days follow. */
public record App(String appId, ZoneId zone) {
}
