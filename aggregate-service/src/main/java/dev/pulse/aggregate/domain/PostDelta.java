package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's share of fact_daily_posts.
 *
 * @param actions the events on a post (a view, or else a like), whose users may be new viewers or likers
 * @param days    each post-day's views and likes
 */
public record PostDelta(List<EnrichedEvent> actions, Map<PostDay, FeedActivity> days) {
    /** A post, on a day. */
    public record PostDay(String appId, LocalDate date, long postId) {
    }

    public static PostDelta of(List<EnrichedEvent> fresh) {
        List<EnrichedEvent> actions = fresh.stream().filter(e -> e.postId() != null).toList();
        Map<PostDay, FeedActivity> days = new LinkedHashMap<>();
        for (EnrichedEvent e : actions) {
            days.merge(new PostDay(e.appId(), e.eventDate(), e.postId()), FeedActivity.of(e), FeedActivity::plus);
        }
        return new PostDelta(actions, days);
    }
}
