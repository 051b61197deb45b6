package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.FeedDelta.UserPost;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static dev.pulse.aggregate.domain.TestEvent.expectedActivity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedDeltaTest {
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 30).post(1).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 10).post(1).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 20).post(1).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 40).post(2).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 70).post(2).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 50).post(2).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "bob", 5).post(1).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 100).post(1).on(TestEvent.DAY.plusDays(1)).build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 1).to("bob").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "cid", 2).post(3).build());

    private static final Predicate<EnrichedEvent> FEED =
            e -> e.event().equals(EventCatalog.FEED_VIEW) || e.event().equals(EventCatalog.FEED_LIKE);

    private final FeedDelta delta = FeedDelta.of(BATCH);

    @Test
    void aRowPerUserDayWithViewsOrLikesInTheOrderFirstSeen() {
        List<UserDay> expected = BATCH.stream().filter(FEED).map(FeedDeltaTest::userDay).distinct().toList();
        assertEquals(expected, List.copyOf(delta.days().keySet()));
    }

    @Test
    void eachUserDayHasTheFirstLastAndCountOfItsViewsAndOfItsLikes() {
        delta.days().forEach((day, activity) -> {
            Predicate<EnrichedEvent> ofDay = e -> userDay(e).equals(day);
            assertEquals(expectedActivity(BATCH, ofDay.and(e -> e.event().equals(EventCatalog.FEED_VIEW))), activity.views(), day.toString());
            assertEquals(expectedActivity(BATCH, ofDay.and(e -> e.event().equals(EventCatalog.FEED_LIKE))), activity.likes(), day.toString());
        });
    }

    @Test
    void eachUsersPostOfADayHasItsFirstViewAndFirstLike() {
        List<UserPost> expected = BATCH.stream().filter(FEED).map(e -> new UserPost(userDay(e), e.postId())).distinct().toList();
        assertEquals(expected, List.copyOf(delta.posts().keySet()));
        delta.posts().forEach((post, activity) -> {
            Predicate<EnrichedEvent> ofPost = e -> FEED.test(e) && userDay(e).equals(post.day()) && e.postId() == post.postId();
            assertEquals(expectedActivity(BATCH, ofPost.and(e -> e.event().equals(EventCatalog.FEED_VIEW))).first(),
                    activity.views().first(), post.toString());
            assertEquals(expectedActivity(BATCH, ofPost.and(e -> e.event().equals(EventCatalog.FEED_LIKE))).first(),
                    activity.likes().first(), post.toString());
        });
    }

    @Test
    void aBatchWithoutViewsOrLikesHasNoShare() {
        FeedDelta none = FeedDelta.of(BATCH.stream().filter(FEED.negate()).toList());
        assertTrue(none.days().isEmpty());
        assertTrue(none.posts().isEmpty());
    }

    private static UserDay userDay(EnrichedEvent e) {
        return new UserDay(e.appId(), e.eventDate(), e.userId());
    }
}
