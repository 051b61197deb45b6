package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.CounterDelta.ContentDay;
import dev.pulse.aggregate.domain.CounterDelta.Connection;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CounterDeltaTest {
    private static final String PLAY = "play";
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 1).to("bob").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 2).to("bob").late().build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "bob", 3).to("ann").build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "ann", 4).content("v1", PLAY, "tv").engagement(12.5, 0.25).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "bob", 5).content("v1", PLAY, "tv").engagement(3.0, null).clamped().build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "bob", 6).content("v1", "pause", "tv").engagement(null, 0.5).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "cid", 7).content("v1", PLAY, null).engagement(1.0, 1.0).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "cid", 8).content("v2", "seek", "phone").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "dee", 9).on(TestEvent.DAY.plusDays(1)).late().clamped().build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 10).to("bob").on(TestEvent.DAY.plusDays(1)).build());

    private final CounterDelta delta = CounterDelta.of(BATCH);

    @Test
    void connectionsCountTheMessagesOfEachSenderToEachReceiverOnADay() {
        List<EnrichedEvent> messages = ofKind(EventCatalog.MESSAGE_SENT);
        List<Connection> expected = messages.stream().map(e -> new Connection(e.appId(), e.eventDate(), e.userId(), e.receiverId()))
                .distinct().toList();
        assertEquals(expected, List.copyOf(delta.connections().keySet()));
        delta.connections().forEach((c, n) -> assertEquals(messages.stream().filter(e -> e.eventDate().equals(c.date())
                && e.userId().equals(c.sender()) && e.receiverId().equals(c.receiver())).count(), (long) n, c.toString()));
    }

    @Test
    void contentSumsTheEngagementOfEachItemOnEachDevice() {
        List<EnrichedEvent> engagement = ofKind(EventCatalog.CONTENT_ENGAGEMENT);
        assertEquals(engagement.stream().map(CounterDeltaTest::contentDay).distinct().toList(), List.copyOf(delta.content().keySet()));
        delta.content().forEach((day, sums) -> {
            List<EnrichedEvent> of = engagement.stream().filter(e -> contentDay(e).equals(day)).toList();
            String at = day.toString();
            assertEquals(of.size(), sums.events(), at);
            assertEquals(of.stream().filter(e -> PLAY.equals(e.action())).count(), sums.plays(), at);
            assertEquals(of.stream().map(EnrichedEvent::engagementSeconds).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum(),
                    sums.engagement().seconds(), 1e-9, at);
            assertEquals(of.stream().map(EnrichedEvent::engagementPct).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum(),
                    sums.engagement().pctSum(), 1e-9, at);
            assertEquals(of.stream().map(EnrichedEvent::engagementPct).filter(Objects::nonNull).count(), sums.engagement().pctCount(), at);
        });
    }

    @Test
    void playsAreTheContentEventsThatArePlaysInBatchOrder() {
        assertEquals(ofKind(EventCatalog.CONTENT_ENGAGEMENT).stream().filter(e -> PLAY.equals(e.action())).toList(), delta.plays());
    }

    @Test
    void qualityCountsEveryEventOfTheDayAndThoseLateOrClamped() {
        assertEquals(BATCH.stream().map(e -> new AppDay(e.appId(), e.eventDate())).distinct().toList(), List.copyOf(delta.quality().keySet()));
        delta.quality().forEach((day, quality) -> {
            Predicate<EnrichedEvent> ofDay = e -> e.eventDate().equals(day.date());
            assertEquals(BATCH.stream().filter(ofDay).count(), quality.accepted(), day.toString());
            assertEquals(BATCH.stream().filter(ofDay.and(EnrichedEvent::late)).count(), quality.late(), day.toString());
            assertEquals(BATCH.stream().filter(ofDay.and(EnrichedEvent::clockClamped)).count(), quality.clamped(), day.toString());
        });
    }

    private static List<EnrichedEvent> ofKind(String event) {
        return BATCH.stream().filter(e -> e.event().equals(event)).toList();
    }

    private static ContentDay contentDay(EnrichedEvent e) {
        return new ContentDay(e.appId(), e.eventDate(), e.contentId(), e.device() == null ? "unknown" : e.device());
    }
}
