package dev.pulse.query.domain;

import java.time.ZoneId;

/**
 * The app a read token belongs to, with the calendar its days follow and the inactivity after which a user's next
 * event without a session_id starts a new session.
 */
public record App(String appId, ZoneId zone, int sessionTimeoutSeconds) {
    public static final int DEFAULT_SESSION_TIMEOUT_SECONDS = 1800;

    public App(String appId, ZoneId zone) {
        this(appId, zone, DEFAULT_SESSION_TIMEOUT_SECONDS);
    }
}
