package dev.pulse.query.domain;

import java.time.ZoneId;

/**
 * The app a read token belongs to, with the calendar its days follow, the inactivity after which a user's next
 * event without a session_id starts a new session, and the timeout the rollup's sessions were computed with (null
 * before aggregate-service first built them).
 */
public record App(String appId, ZoneId zone, int sessionTimeoutSeconds, Integer sessionsKeptWith) {
    public static final int DEFAULT_SESSION_TIMEOUT_SECONDS = 1800;

    public App(String appId, ZoneId zone) {
        this(appId, zone, DEFAULT_SESSION_TIMEOUT_SECONDS, DEFAULT_SESSION_TIMEOUT_SECONDS);
    }

    /** Whether the rollup's sessions are those of the app's timeout (not yet rebuilt after a change, they are not). */
    public boolean sessionsKept() {
        return sessionsKeptWith != null && sessionsKeptWith == sessionTimeoutSeconds;
    }
}
