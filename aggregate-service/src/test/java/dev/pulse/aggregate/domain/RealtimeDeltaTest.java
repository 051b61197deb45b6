package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.RealtimeDelta.AppMinute;
import dev.pulse.aggregate.domain.RealtimeDelta.Content;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RealtimeDeltaTest {
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.PAGE_VIEW, "ann", 10).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "ann", 20).content("v1", "play", "tv").build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "bob", 30).content("v1", "pause", "tv").build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "ann", 70).content("v2", "play", "tv").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "ann", 80).build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "cid", 130).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "cid", 140).content("v1", "play", "tv").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "dee", 5).on(TestEvent.DAY.minusDays(1)).build());

    /** The window starts at the batch's second minute: the first minute and the day before only count for their days. */
    private static final long OLDEST = minute(BATCH.get(3));

    private final RealtimeDelta delta = RealtimeDelta.of(BATCH, OLDEST);

    @Test
    void eachMinuteOfTheWindowCountsItsEventsUsersNamesAndContent() {
        List<EnrichedEvent> window = BATCH.stream().filter(e -> minute(e) >= OLDEST).toList();
        assertEquals(window.stream().map(e -> new AppMinute(e.appId(), minute(e))).distinct().toList(), List.copyOf(delta.minutes().keySet()));
        delta.minutes().forEach((key, m) -> {
            List<EnrichedEvent> of = window.stream().filter(e -> minute(e) == key.minute()).toList();
            assertEquals(of.size(), m.events(), key.toString());
            assertEquals(of.stream().map(EnrichedEvent::userId).collect(Collectors.toSet()), m.users(), key.toString());
            assertEquals(counts(of, e -> true, EnrichedEvent::event), m.names(), key.toString());
            assertEquals(counts(of, RealtimeDeltaTest::engagement, EnrichedEvent::contentId), m.content(), key.toString());
        });
    }

    @Test
    void eachDayHasTheUsersOfAllItsEventsWindowOrNot() {
        Map<AppDay, Set<String>> expected = BATCH.stream().collect(Collectors.groupingBy(e -> new AppDay(e.appId(), e.eventDate()),
                Collectors.mapping(EnrichedEvent::userId, Collectors.toSet())));
        assertEquals(expected, delta.dailyUsers());
    }

    @Test
    void eachContentItemHasItsEngagementEventsOfTheWindowInBatchOrder() {
        List<EnrichedEvent> engagement = BATCH.stream().filter(e -> minute(e) >= OLDEST && engagement(e)).toList();
        Map<Content, List<EnrichedEvent>> expected = engagement.stream()
                .collect(Collectors.groupingBy(e -> new Content(e.appId(), e.contentId()), Collectors.toList()));
        assertEquals(expected, delta.engagement());
    }

    private static Map<String, Double> counts(List<EnrichedEvent> events, Predicate<EnrichedEvent> which, Function<EnrichedEvent, String> by) {
        return events.stream().filter(which).collect(Collectors.groupingBy(by, Collectors.summingDouble(e -> 1.0)));
    }

    private static boolean engagement(EnrichedEvent e) {
        return e.event().equals(EventCatalog.CONTENT_ENGAGEMENT);
    }

    private static long minute(EnrichedEvent e) {
        return e.timestamp().getEpochSecond() / 60;
    }
}
