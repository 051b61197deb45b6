package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch's share of the real-time views.
 *
 * @param minutes    each app-minute within the window
 * @param dailyUsers each app-day's users, whether their events are within the window or not
 * @param engagement each content item's engagement events within the window, in batch order
 */
public record RealtimeDelta(Map<AppMinute, Minute> minutes, Map<AppDay, Set<String>> dailyUsers,
        Map<Content, List<EnrichedEvent>> engagement) {
    /** A minute of event time, counted from the epoch. */
    public record AppMinute(String appId, long minute) {
    }

    public record Content(String appId, String contentId) {
    }

    /** An app-minute's events: how many, by which users, and how many of each name and of each content item. */
    public static final class Minute {
        private long events;
        private final Set<String> users = new HashSet<>();
        private final Map<String, Double> names = new HashMap<>();
        private final Map<String, Double> content = new HashMap<>();

        public long events() {
            return events;
        }

        public Set<String> users() {
            return Collections.unmodifiableSet(users);
        }

        /** Counts as the scores the top lists add. */
        public Map<String, Double> names() {
            return Collections.unmodifiableMap(names);
        }

        /** Counts of engagement events per content item, as the scores the top lists add. */
        public Map<String, Double> content() {
            return Collections.unmodifiableMap(content);
        }

        private void add(EnrichedEvent e) {
            events++;
            users.add(e.userId());
            names.merge(e.event(), 1.0, Double::sum);
            if (isEngagement(e)) {
                content.merge(e.contentId(), 1.0, Double::sum);
            }
        }
    }

    /** @param oldestMinute the first minute still within the real-time window */
    public static RealtimeDelta of(List<EnrichedEvent> events, long oldestMinute) {
        Map<AppMinute, Minute> minutes = new LinkedHashMap<>();
        Map<AppDay, Set<String>> dailyUsers = new LinkedHashMap<>();
        Map<Content, List<EnrichedEvent>> engagement = new LinkedHashMap<>();
        for (EnrichedEvent e : events) {
            dailyUsers.computeIfAbsent(new AppDay(e.appId(), e.eventDate()), k -> new HashSet<>()).add(e.userId());
            long minute = minuteOf(e);
            if (minute < oldestMinute) {
                continue;
            }
            minutes.computeIfAbsent(new AppMinute(e.appId(), minute), k -> new Minute()).add(e);
            if (isEngagement(e)) {
                engagement.computeIfAbsent(new Content(e.appId(), e.contentId()), k -> new ArrayList<>()).add(e);
            }
        }
        return new RealtimeDelta(minutes, dailyUsers, engagement);
    }

    private static long minuteOf(EnrichedEvent event) {
        return event.timestamp().getEpochSecond() / 60;
    }

    private static boolean isEngagement(EnrichedEvent event) {
        return EventCatalog.CONTENT_ENGAGEMENT.equals(event.event());
    }
}
