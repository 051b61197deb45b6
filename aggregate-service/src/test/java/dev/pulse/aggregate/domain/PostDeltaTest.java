package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.PostDelta.PostDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static dev.pulse.aggregate.domain.TestEvent.expectedActivity;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PostDeltaTest {
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 30).post(1).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "bob", 10).post(1).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 40).post(1).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "bob", 35).post(1).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 20).post(2).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 90).post(1).on(TestEvent.DAY.plusDays(1)).build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "cid", 5).build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "cid", 6).to("ann").build());

    private final PostDelta delta = PostDelta.of(BATCH);

    @Test
    void theActionsAreTheEventsOnAPostInBatchOrder() {
        assertEquals(BATCH.stream().filter(e -> e.postId() != null).toList(), delta.actions());
    }

    @Test
    void eachPostDayHasTheFirstLastAndCountOfItsViewsAndOfItsLikes() {
        List<PostDay> expected = delta.actions().stream().map(e -> new PostDay(e.appId(), e.eventDate(), e.postId())).distinct().toList();
        assertEquals(expected, List.copyOf(delta.days().keySet()));
        delta.days().forEach((day, activity) -> {
            Predicate<EnrichedEvent> ofDay = e -> e.postId() != null && e.postId() == day.postId() && e.eventDate().equals(day.date());
            assertEquals(expectedActivity(BATCH, ofDay.and(e -> e.event().equals(EventCatalog.FEED_VIEW))), activity.views(), day.toString());
            assertEquals(expectedActivity(BATCH, ofDay.and(e -> e.event().equals(EventCatalog.FEED_LIKE))), activity.likes(), day.toString());
        });
    }
}
