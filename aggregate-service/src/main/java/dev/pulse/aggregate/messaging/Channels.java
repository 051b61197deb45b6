package dev.pulse.aggregate.messaging;

/** Messaging channel names; application.properties binds them to topics. */
public final class Channels {
    public static final String EVENTS_ENRICHED = "events-enriched";
    public static final String EVENTS_INVALID = "events-invalid";
    public static final String CONTROL_ERASURES = "control-erasures";

    private Channels() {
    }
}
