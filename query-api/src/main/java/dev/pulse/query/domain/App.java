package dev.pulse.query.domain;

import java.time.ZoneId;

/**
 * The app a read token belongs to, with the calendar its days follow, the inactivity after which a user's next
 * event without a session_id starts a new session, and whether the rollup's sessions are all of that timeout
 * (aggregate-service has rebuilt them since its last change, V26's app_sessions).
 */
public record App(String appId, ZoneId zone, int sessionTimeoutSeconds, boolean sessionsKept) {
    public static final int DEFAULT_SESSION_TIMEOUT_SECONDS = 1800;

    public App(String appId, ZoneId zone) {
        this(appId, zone, DEFAULT_SESSION_TIMEOUT_SECONDS, true);
    }
}
