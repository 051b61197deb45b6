package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

/** The views and likes of a batch, of one post or one user-day. */
public record FeedActivity(Activity views, Activity likes) {
    /** A view, or else a like. */
    public static FeedActivity of(EnrichedEvent event) {
        Activity one = Activity.at(event.timestamp());
        return isView(event) ? new FeedActivity(one, Activity.NONE) : new FeedActivity(Activity.NONE, one);
    }

    public FeedActivity plus(FeedActivity other) {
        return new FeedActivity(views.plus(other.views), likes.plus(other.likes));
    }

    /** A view; any other action on a post is a like. */
    public static boolean isView(EnrichedEvent event) {
        return EventCatalog.FEED_VIEW.equals(event.event());
    }
}
