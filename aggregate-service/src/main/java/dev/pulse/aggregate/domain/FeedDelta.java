package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's share of the per-user feed facts.
 *
 * @param days  each user-day's views and likes
 * @param posts each user's views and likes of each post on a day (of which the feed keeps the first of each)
 */
public record FeedDelta(Map<UserDay, FeedActivity> days, Map<UserPost, FeedActivity> posts) {
    /** A post a user acted on, on a day. */
    public record UserPost(UserDay day, long postId) {
    }

    public static FeedDelta of(List<EnrichedEvent> fresh) {
        Map<UserDay, FeedActivity> days = new LinkedHashMap<>();
        Map<UserPost, FeedActivity> posts = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            if (FeedActivity.isView(e) || EventCatalog.FEED_LIKE.equals(e.event())) {
                UserDay day = new UserDay(e.appId(), e.eventDate(), e.userId());
                FeedActivity one = FeedActivity.of(e);
                days.merge(day, one, FeedActivity::plus);
                posts.merge(new UserPost(day, e.postId()), one, FeedActivity::plus);
            }
        }
        return new FeedDelta(days, posts);
    }
}
