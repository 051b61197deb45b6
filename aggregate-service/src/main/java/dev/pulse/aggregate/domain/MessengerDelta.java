package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A batch's share of the per-user messenger facts: each user-day's messages, sent and received. */
public record MessengerDelta(Map<UserDay, Messages> days) {
    /** A user-day's messages within a batch. */
    public record Messages(Activity sent, Activity received) {
        public Messages plus(Messages other) {
            return new Messages(sent.plus(other.sent), received.plus(other.received));
        }
    }

    public static MessengerDelta of(List<EnrichedEvent> fresh) {
        Map<UserDay, Messages> days = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            if (EventCatalog.MESSAGE_SENT.equals(e.event())) {
                Activity one = Activity.at(e.timestamp());
                days.merge(new UserDay(e.appId(), e.eventDate(), e.userId()), new Messages(one, Activity.NONE), Messages::plus);
                days.merge(new UserDay(e.appId(), e.eventDate(), e.receiverId()), new Messages(Activity.NONE, one), Messages::plus);
            }
        }
        return new MessengerDelta(days);
    }
}
