package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.schema.EventTimes;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A batch's share of user_event_times (the funnels' state): the times of each user's events per event name and
 * app-local week, in epoch microseconds as the raw store keeps them, ascending and distinct. Keys are in one fixed order, so that two writers upserting the same rows lock them in the same
 * order and cannot deadlock.
 */
public record EventTimesDelta(Map<Key, SortedSet<Long>> times) {
    /** A user's events of one name in the week starting on Monday {@code weekStart} (app-local, as event_date). */
    public record Key(String appId, String event, LocalDate weekStart, String userId) {
        static final Comparator<Key> ORDER = Comparator.comparing(Key::appId).thenComparing(Key::event)
                .thenComparing(Key::weekStart).thenComparing(Key::userId);
    }

    public static EventTimesDelta of(List<EnrichedEvent> fresh) {
        Map<Key, SortedSet<Long>> times = new TreeMap<>(Key.ORDER);
        for (EnrichedEvent e : fresh) {
            times.computeIfAbsent(new Key(e.appId(), e.event(), EventTimes.weekStart(e.eventDate()), e.userId()), k -> new TreeSet<>())
                    .add(EventTimes.micros(e.timestamp()));
        }
        return new EventTimesDelta(times);
    }
}
