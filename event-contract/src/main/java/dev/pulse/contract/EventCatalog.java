package dev.pulse.contract;

import java.util.Map;

/** SPEC §2 built-in events and their categories. */
public final class EventCatalog {
    public static final String FEED_VIEW = "feed.view";
    public static final String FEED_LIKE = "feed.like";
    public static final String MESSAGE_SENT = "message.sent";
    public static final String CONTENT_ENGAGEMENT = "content.engagement";
    public static final String PAGE_VIEW = "page_view";
    public static final String SIGNUP = "signup";
    public static final String PURCHASE = "purchase";
    public static final String REFERRAL = "referral";

    private static final Map<String, EventCategory> CATEGORIES = Map.of(
            FEED_VIEW, EventCategory.ENGAGEMENT,
            FEED_LIKE, EventCategory.ENGAGEMENT,
            MESSAGE_SENT, EventCategory.ENGAGEMENT,
            CONTENT_ENGAGEMENT, EventCategory.ENGAGEMENT,
            PAGE_VIEW, EventCategory.ENGAGEMENT,
            SIGNUP, EventCategory.ACQUISITION,
            PURCHASE, EventCategory.MONETIZATION,
            REFERRAL, EventCategory.GROWTH);

    private EventCatalog() {
    }

    public static boolean isBuiltIn(String event) {
        return CATEGORIES.containsKey(event);
    }

    public static EventCategory category(String event) {
        return CATEGORIES.getOrDefault(event, EventCategory.OTHER);
    }
}
