package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static dev.pulse.aggregate.domain.TestEvent.expectedActivity;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MessengerDeltaTest {
    private static final List<EnrichedEvent> BATCH = List.of(
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 10).to("bob").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 50).to("bob").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "bob", 20).to("ann").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 30).to("cid").build(),
            TestEvent.of(EventCatalog.MESSAGE_SENT, "ann", 5).to("bob").on(TestEvent.DAY.plusDays(1)).build(),
            TestEvent.of(EventCatalog.FEED_VIEW, "dee", 1).post(1).build());

    private final MessengerDelta delta = MessengerDelta.of(BATCH);

    @Test
    void aRowPerUserDayThatSentOrReceivedInTheOrderFirstSeen() {
        List<UserDay> expected = messages()
                .flatMap(e -> Stream.of(new UserDay(e.appId(), e.eventDate(), e.userId()), new UserDay(e.appId(), e.eventDate(), e.receiverId())))
                .distinct().toList();
        assertEquals(expected, List.copyOf(delta.days().keySet()));
    }

    @Test
    void eachUserDayHasTheFirstLastAndCountOfWhatItSentAndOfWhatItReceived() {
        List<EnrichedEvent> messages = messages().toList();
        delta.days().forEach((day, activity) -> {
            assertEquals(expectedActivity(messages, e -> e.eventDate().equals(day.date()) && e.userId().equals(day.userId())),
                    activity.sent(), day.toString());
            assertEquals(expectedActivity(messages, e -> e.eventDate().equals(day.date()) && e.receiverId().equals(day.userId())),
                    activity.received(), day.toString());
        });
    }

    private static Stream<EnrichedEvent> messages() {
        return BATCH.stream().filter(e -> e.event().equals(EventCatalog.MESSAGE_SENT));
    }
}
