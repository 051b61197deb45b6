package dev.pulse.contract;

import java.time.LocalDate;

/** Redis key layout of the real-time views; query-api reads the same keys (SPEC §6 /v1/realtime). */
public final class RealtimeKeys {
    /** Present while the real-time views are complete; its absence means Redis lost data and a rebuild is due. */
    public static final String BUILT_MARKER = "rt:built";
    /**
     * Bumped by each rebuild at its cut: a batch writes its views only while the epoch it read when it took its
     * PostgreSQL locks is current, otherwise its events are in the rebuild. Outside {@code rt:*}, which a rebuild clears.
     */
    public static final String EPOCH = "rt-epoch";

    private RealtimeKeys() {
    }

    public static String events(String app, long minute) {
        return "rt:" + app + ":ev:" + minute;
    }

    public static String users(String app, long minute) {
        return "rt:" + app + ":u:" + minute;
    }

    public static String topContent(String app, long minute) {
        return "rt:" + app + ":tc:" + minute;
    }

    public static String topEvents(String app, long minute) {
        return "rt:" + app + ":te:" + minute;
    }

    public static String dailyUsers(String app, LocalDate date) {
        return "rt:" + app + ":dau:" + date;
    }

    public static String recentContentEvents(String app, String contentId) {
        return "rt:" + app + ":recent:" + contentId;
    }
}
