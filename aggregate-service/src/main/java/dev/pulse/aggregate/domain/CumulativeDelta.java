package dev.pulse.aggregate.domain;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.EventCatalog;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A batch's share of the first-seen days and the cumulative tables.
 *
 * @param firstSeen  each user's earliest event and first feed and messenger days
 * @param devices    the days each user was active on a device and browser ("unknown" for either not given)
 * @param hostMonths the days of each month a host was visited
 * @param hostHits   the events of each host-day
 * @param hostEvents the events on a host, whose users may be new visitors of its day
 */
public record CumulativeDelta(Map<User, FirstSeen> firstSeen, Map<Device, SortedSet<LocalDate>> devices,
        Map<HostMonth, SortedSet<LocalDate>> hostMonths, Map<HostDay, Long> hostHits, List<EnrichedEvent> hostEvents) {
    public record User(String appId, String userId) {
    }

    /**
     * @param date          the day of the earliest event, at {@code at}
     * @param feedDate      the first day with a view or like, or null
     * @param messengerDate the first day with a message sent, or null
     */
    public record FirstSeen(LocalDate date, Instant at, LocalDate feedDate, LocalDate messengerDate) {
        static FirstSeen of(EnrichedEvent event) {
            boolean feed = EventCatalog.FEED_VIEW.equals(event.event()) || EventCatalog.FEED_LIKE.equals(event.event());
            boolean messenger = EventCatalog.MESSAGE_SENT.equals(event.event());
            return new FirstSeen(event.eventDate(), event.timestamp(), feed ? event.eventDate() : null, messenger ? event.eventDate() : null);
        }

        FirstSeen plus(FirstSeen other) {
            FirstSeen earliest = other.at.isBefore(at) ? other : this;
            return new FirstSeen(earliest.date, earliest.at, Nullable.min(feedDate, other.feedDate),
                    Nullable.min(messengerDate, other.messengerDate));
        }
    }

    public record Device(String appId, String userId, String device, String browser) {
    }

    public record HostMonth(String appId, String host, LocalDate monthStart) {
    }

    public record HostDay(String appId, String host, LocalDate date) {
    }

    public static CumulativeDelta of(List<EnrichedEvent> fresh) {
        Map<User, FirstSeen> firstSeen = new LinkedHashMap<>();
        Map<Device, SortedSet<LocalDate>> devices = new LinkedHashMap<>();
        Map<HostMonth, SortedSet<LocalDate>> hostMonths = new LinkedHashMap<>();
        Map<HostDay, Long> hostHits = new LinkedHashMap<>();
        for (EnrichedEvent e : fresh) {
            firstSeen.merge(new User(e.appId(), e.userId()), FirstSeen.of(e), FirstSeen::plus);
            devices.computeIfAbsent(new Device(e.appId(), e.userId(), orUnknown(e.device()), orUnknown(e.browser())),
                    k -> new TreeSet<>()).add(e.eventDate());
            if (e.host() != null) {
                hostMonths.computeIfAbsent(new HostMonth(e.appId(), e.host(), e.eventDate().withDayOfMonth(1)), k -> new TreeSet<>())
                        .add(e.eventDate());
                hostHits.merge(new HostDay(e.appId(), e.host(), e.eventDate()), 1L, Long::sum);
            }
        }
        return new CumulativeDelta(firstSeen, devices, hostMonths, hostHits, fresh.stream().filter(e -> e.host() != null).toList());
    }

    private static String orUnknown(String value) {
        return value == null ? "unknown" : value;
    }
}
