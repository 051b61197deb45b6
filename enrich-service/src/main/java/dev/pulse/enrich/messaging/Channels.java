package dev.pulse.enrich.messaging;

/** Messaging channel names; application.properties binds them to topics. */
public final class Channels {
    public static final String EVENTS_RAW = "events-raw";
    /** Transactional: enriched events and invalid records leave with the consumed offsets, atomically. */
    public static final String EVENTS_OUT = "events-out";
    public static final String CATALOG_CONTENT = "catalog-content";

    private Channels() {
    }
}
