package dev.pulse.contract;

/** SPEC §2 event categories; custom events are {@link #OTHER} unless the app maps them. */
public enum EventCategory {
    ENGAGEMENT, ACQUISITION, MONETIZATION, GROWTH, OTHER;

    public String value() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
