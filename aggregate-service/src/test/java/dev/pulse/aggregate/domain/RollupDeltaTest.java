package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.UserTraits;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RollupDeltaTest {
    private static final UserTraits TEEN = new UserTraits(1, 17, "ios", "ads", "DE", "Berlin", 2);
    private static final UserTraits ADULT = new UserTraits(1, 18, "ios", "ads", "DE", "Berlin", 2);
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 1).post(1).traits(TEEN).build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 2).post(1).traits(TEEN).build(),
            TestEvent.of(EventCatalog.PURCHASE, "ann", 3).revenue("1.50").traits(TEEN).build(),
            TestEvent.of(EventCatalog.PURCHASE, "ann", 4).revenue("2.255").traits(TEEN).build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 5).to("bob").traits(ADULT).build(),
            TestEvent.of(EventCatalog.SIGNUP, "bob", 6).build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "bob", 7).engagement(4.0, null).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "bob", 8).content("v1", "play", "tv").engagement(10.0, 0.5).build(),
            TestEvent.of(EventCatalog.CONTENT_ENGAGEMENT, "bob", 9).content("v1", "pause", "tv").engagement(2.0, 0.25).build(),
            TestEvent.of("custom.thing", "bob", 10).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "bob", 11).post(2).on(TestEvent.DAY.plusDays(1)).build());

    @Test
    void eachUserDayAndTraitsCountsItsEventsByKindWithRevenueAndEngagement() {
        RollupDelta delta = RollupDelta.byEventSide(BATCH).withoutEventSide();
        assertEquals(BATCH.stream().map(RollupDeltaTest::traitsDay).distinct().toList(), List.copyOf(delta.rows().keySet()));
        delta.rows().forEach((key, c) -> {
            List<EnrichedEvent> of = BATCH.stream().filter(e -> traitsDay(e).equals(key)).toList();
            String at = key.toString();
            assertEquals(of.size(), c.events(), at);
            assertEquals(count(of, EventCatalog.FEED_VIEW), c.views(), at);
            assertEquals(count(of, EventCatalog.FEED_LIKE), c.likes(), at);
            assertEquals(count(of, EventCatalog.MESSAGE_SENT), c.messages(), at);
            assertEquals(count(of, EventCatalog.SIGNUP), c.signups(), at);
            assertEquals(count(of, EventCatalog.PURCHASE), c.purchases(), at);
            assertEquals(count(of, EventCatalog.PAGE_VIEW), c.pageViews(), at);
            assertEquals(of.stream().filter(e -> e.event().equals(EventCatalog.CONTENT_ENGAGEMENT) && "play".equals(e.action())).count(),
                    c.plays(), at);
            BigDecimal revenue = of.stream().filter(e -> e.event().equals(EventCatalog.PURCHASE)).map(EnrichedEvent::revenue)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertEquals(0, revenue.compareTo(c.revenue()), at + ": revenue " + c.revenue());
            assertEquals(sum(of, EnrichedEvent::engagementSeconds), c.engagement().seconds(), 1e-9, at);
            assertEquals(sum(of, EnrichedEvent::engagementPct), c.engagement().pctSum(), 1e-9, at);
            assertEquals(of.stream().map(EnrichedEvent::engagementPct).filter(Objects::nonNull).count(), c.engagement().pctCount(), at);
        });
    }

    @Test
    void theEventSideSplitsAUserDayByEventNameDeviceHostAndContentTypeAndSumsBackToIt() {
        RollupDelta plain = RollupDelta.byEventSide(BATCH).withoutEventSide();
        RollupDelta bySide = RollupDelta.byEventSide(BATCH);
        assertEquals(BATCH.stream().map(e -> e.userId() + e.eventDate() + e.event() + e.category() + e.device() + e.host()
                + e.contentType() + e.user()).distinct().count(), bySide.rows().size());
        bySide.rows().forEach((key, c) -> {
            List<EnrichedEvent> of = BATCH.stream().filter(e -> traitsDay(e).equals(new TraitsDay(key.appId(), key.date(),
                    key.userId(), key.traits(), null)) && e.event().equals(key.side().event())
                    && Objects.equals(e.device(), key.side().device()) && Objects.equals(e.host(), key.side().host())
                    && Objects.equals(e.contentType(), key.side().contentType())).toList();
            assertEquals(of.size(), c.events(), key.toString());
        });
        plain.rows().forEach((key, c) -> {
            List<RollupDelta.Counters> parts = bySide.rows().entrySet().stream()
                    .filter(r -> new TraitsDay(r.getKey().appId(), r.getKey().date(), r.getKey().userId(), r.getKey().traits(), null)
                            .equals(key)).map(java.util.Map.Entry::getValue).toList();
            assertEquals(c.events(), parts.stream().mapToInt(RollupDelta.Counters::events).sum(), key.toString());
            assertEquals(0, c.revenue().compareTo(parts.stream().map(RollupDelta.Counters::revenue).reduce(BigDecimal.ZERO, BigDecimal::add)));
            assertEquals(c.plays(), parts.stream().mapToInt(RollupDelta.Counters::plays).sum(), key.toString());
        });
    }

    private static long count(List<EnrichedEvent> events, String kind) {
        return events.stream().filter(e -> e.event().equals(kind)).count();
    }

    /** The sum of the values given. */
    private static double sum(List<EnrichedEvent> events, Function<EnrichedEvent, Double> value) {
        return events.stream().map(value).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    }

    private static TraitsDay traitsDay(EnrichedEvent e) {
        return new TraitsDay(e.appId(), e.eventDate(), e.userId(), e.user() == null ? UserTraits.NONE : e.user(), null);
    }
}
