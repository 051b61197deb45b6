package dev.pulse.enrich.messaging;

/** Messaging channel names; application.properties binds them to topics. */
public final class Channels {
    public static final String CATALOG_CONTENT = "catalog-content";
    public static final String CONTROL_ERASURES = "control-erasures";

    private Channels() {
    }
}
