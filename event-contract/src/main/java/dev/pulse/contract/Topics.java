package dev.pulse.contract;

/** Kafka topic names shared by the services (SPEC architecture). */
public final class Topics {
    public static final String RAW = "events.raw";
    public static final String ENRICHED = "events.enriched";
    public static final String INVALID = "events.invalid";
    /** Compacted; key = {@link #contentKey(String, String)}. */
    public static final String CATALOG_CONTENT = "catalog.content";
    /** Per-user erasure commands ({@link ErasureCommand}); key = {@link #userKey(String, String)}. Holds user ids: kept briefly. */
    public static final String ERASURES = "control.erasures";

    private Topics() {
    }

    /** One user's events of one app share a key, so they stay on one partition and in order. */
    public static String userKey(String appId, String userId) {
        return appId + "\u0000" + userId;
    }

    public static String contentKey(String appId, String contentId) {
        return appId + "\u0000" + contentId;
    }
}
