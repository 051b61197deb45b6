package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.CumulativeDelta.Device;
import dev.pulse.aggregate.domain.CumulativeDelta.HostDay;
import dev.pulse.aggregate.domain.CumulativeDelta.HostMonth;
import dev.pulse.aggregate.domain.CumulativeDelta.User;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CumulativeDeltaTest {
    private static final LocalDate MARCH_31 = TestEvent.DAY;
    private static final LocalDate APRIL_1 = MARCH_31.plusDays(1);
    private static final LocalDate APRIL_2 = MARCH_31.plusDays(2);
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.PAGE_VIEW, "ann", 50).on(APRIL_1).browsing("desktop", "firefox", "a.example").build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "ann", 70).on(APRIL_2).post(1).build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "ann", 10).on(MARCH_31).browsing("desktop", "firefox", "a.example").build(),
            TestEvent.of(EventCatalog.FEED_LIKE, "ann", 20).on(APRIL_1).post(1).build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 30).on(APRIL_2).to("bob").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "bob", 5).on(APRIL_1).browsing("phone", null, "a.example").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "bob", 40).on(APRIL_1).to("ann").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "bob", 6).on(APRIL_1).browsing("phone", null, "b.example").build(),
            TestEvent.of(EventCatalog.PAGE_VIEW, "bob", 7).on(APRIL_1).browsing("phone", null, "a.example").build());

    private final CumulativeDelta delta = CumulativeDelta.of(BATCH);

    @Test
    void eachUsersFirstSeenIsTheirEarliestEventAndTheirFirstFeedAndMessengerDays() {
        assertEquals(BATCH.stream().map(e -> new User(e.appId(), e.userId())).distinct().toList(), List.copyOf(delta.firstSeen().keySet()));
        delta.firstSeen().forEach((user, first) -> {
            List<EnrichedEvent> of = BATCH.stream().filter(e -> e.userId().equals(user.userId())).toList();
            EnrichedEvent earliest = of.stream().min(Comparator.comparing(EnrichedEvent::timestamp)).orElseThrow();
            assertEquals(earliest.eventDate(), first.date(), user.toString());
            assertEquals(earliest.timestamp(), first.at(), user.toString());
            assertEquals(firstDay(of, e -> e.event().equals(EventCatalog.FEED_VIEW) || e.event().equals(EventCatalog.FEED_LIKE)),
                    first.feedDate(), user.toString());
            assertEquals(firstDay(of, e -> e.event().equals(EventCatalog.MESSAGE_SENT)), first.messengerDate(), user.toString());
        });
    }

    @Test
    void devicesHoldTheDaysEachUserWasActiveOnADeviceAndBrowser() {
        assertEquals(BATCH.stream().map(CumulativeDeltaTest::device).distinct().toList(), List.copyOf(delta.devices().keySet()));
        delta.devices().forEach((device, days) -> assertEquals(List.copyOf(datesOf(e -> device(e).equals(device))), List.copyOf(days),
                device.toString()));
    }

    @Test
    void hostMonthsHoldTheDaysOfTheMonthTheHostWasVisited() {
        List<EnrichedEvent> visits = visits();
        assertEquals(visits.stream().map(e -> new HostMonth(e.appId(), e.host(), e.eventDate().withDayOfMonth(1))).distinct().toList(),
                List.copyOf(delta.hostMonths().keySet()));
        delta.hostMonths().forEach((month, days) -> assertEquals(List.copyOf(datesOf(e -> month.host().equals(e.host())
                && e.eventDate().getMonth() == month.monthStart().getMonth())), List.copyOf(days), month.toString()));
    }

    @Test
    void hostHitsCountTheEventsOfEachHostDay() {
        List<EnrichedEvent> visits = visits();
        assertEquals(visits.stream().map(e -> new HostDay(e.appId(), e.host(), e.eventDate())).distinct().toList(),
                List.copyOf(delta.hostHits().keySet()));
        delta.hostHits().forEach((day, hits) -> assertEquals(visits.stream()
                .filter(e -> e.host().equals(day.host()) && e.eventDate().equals(day.date())).count(), (long) hits, day.toString()));
        assertEquals(visits, delta.hostEvents());
    }

    private static List<EnrichedEvent> visits() {
        return BATCH.stream().filter(e -> e.host() != null).toList();
    }

    private static Set<LocalDate> datesOf(Predicate<EnrichedEvent> matching) {
        return BATCH.stream().filter(matching).map(EnrichedEvent::eventDate).collect(Collectors.toCollection(TreeSet::new));
    }

    private static LocalDate firstDay(List<EnrichedEvent> events, Predicate<EnrichedEvent> matching) {
        return events.stream().filter(matching).map(EnrichedEvent::eventDate).min(Comparator.naturalOrder()).orElse(null);
    }

    private static Device device(EnrichedEvent e) {
        return new Device(e.appId(), e.userId(), e.device() == null ? "unknown" : e.device(), e.browser() == null ? "unknown" : e.browser());
    }
}
