package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.schema.EventTimes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch's share of the kept sessions (V31), worked out from what is kept of the last session of each session_id
 * of its user-days: an event after that session's first event grows it (within its span), extends it (after its
 * latest event: a session_id's events are one session, those without one join it within the timeout) or starts the
 * next one; an event before a session_id's one session starts it earlier. A user-day with an event without a
 * session_id at or before such a first event (late), or whose kept rows do not count all its events in the rollup
 * (none kept, or left from a path that did not keep them), is left to a recompute from its stored events. Times are epoch microseconds, as PostgreSQL keeps them; events of the same microsecond are ordered
 * by event_id as PostgreSQL orders uuids.
 *
 * @param changes   per rollup row (user-day and traits of a session's first event), what to add to its sessions
 * @param ends      the new ends of the session_ids the batch's events changed
 * @param recompute the user-days to recompute from their stored events
 */
public record SessionDelta(Map<TraitsDay, Change> changes, List<End> ends, Set<UserDay> recompute) {
    /** Sessions, seconds (in microseconds) and bounces to add to a rollup row. */
    public record Change(int sessions, long micros, int bounces) {
        Change plus(Change other) {
            return new Change(sessions + other.sessions, micros + other.micros, bounces + other.bounces);
        }
    }

    /**
     * What is kept of a user-day's session_id (null: the events without one).
     *
     * @param startMicros   its last session's first event time
     * @param lastMicros    its last session's latest event time
     * @param sessionEvents its last session's events
     * @param events        all its events of the day
     * @param traits        the traits of its last session's first event, whose rollup row counts that session
     */
    public record End(UserDay day, String sessionId, long startMicros, long lastMicros, int sessionEvents, int events, UserTraits traits) {
    }

    /**
     * What is stored of a user-day before the batch's sessions are applied.
     *
     * @param ends   its session_ids' ends, none where they are not kept
     * @param events its events in the rollup before the batch
     */
    public record Stored(List<End> ends, long events) {
    }

    private static final Comparator<EnrichedEvent> STORED_ORDER = Comparator.comparingLong((EnrichedEvent e) -> EventTimes.micros(e.timestamp()))
            .thenComparing((a, b) -> compareUnsigned(a, b));

    /**
     * @param stored         per user-day of the batch, what is stored of it (a user-day missing here is recomputed)
     * @param timeoutSeconds per app, its session timeout (an app missing here has its user-days recomputed)
     */
    public static SessionDelta of(List<EnrichedEvent> fresh, Map<UserDay, Stored> stored, Map<String, Integer> timeoutSeconds) {
        Map<UserDay, List<EnrichedEvent>> byDay = new LinkedHashMap<>();
        fresh.forEach(e -> byDay.computeIfAbsent(new UserDay(e.appId(), e.eventDate(), e.userId()), k -> new ArrayList<>()).add(e));
        Map<TraitsDay, Change> changes = new LinkedHashMap<>();
        List<End> ends = new ArrayList<>();
        Set<UserDay> recompute = new LinkedHashSet<>();
        byDay.forEach((day, events) -> {
            Stored kept = stored.get(day);
            Integer timeout = timeoutSeconds.get(day.appId());
            Map<String, End> dayEnds = new HashMap<>();
            if (kept != null) {
                kept.ends().forEach(end -> dayEnds.put(end.sessionId(), end));
            }
            boolean counted = kept != null && dayEnds.values().stream().mapToLong(End::events).sum() == kept.events();
            if (timeout == null || !counted || events.stream().anyMatch(e -> beforeKnown(e, dayEnds.get(e.sessionId())))) {
                recompute.add(day);
                return;
            }
            long timeoutMicros = timeout * 1_000_000L;
            Map<String, End> changed = new LinkedHashMap<>();
            events.stream().sorted(STORED_ORDER).forEach(e -> {
                End end = dayEnds.get(e.sessionId());
                long at = EventTimes.micros(e.timestamp());
                End next;
                if (end == null || e.sessionId() == null && at - end.lastMicros() > timeoutMicros) {
                    next = start(day, e, end == null ? 0 : end.events(), changes);
                } else if (at < end.startMicros()) {
                    next = precede(end, e, changes);
                } else {
                    next = grow(end, at, changes);
                }
                dayEnds.put(e.sessionId(), next);
                changed.put(e.sessionId(), next);
            });
            ends.addAll(changed.values());
        });
        changes.values().removeIf(c -> c.equals(new Change(0, 0, 0)));
        return new SessionDelta(changes, ends, recompute);
    }

    /** A session starting with {@code e}: one more session, a bounce until it has a second event. */
    private static End start(UserDay day, EnrichedEvent e, int eventsBefore, Map<TraitsDay, Change> changes) {
        UserTraits traits = e.user() == null ? UserTraits.NONE : e.user();
        changes.merge(row(day, traits), new Change(1, 0, 1), Change::plus);
        long at = EventTimes.micros(e.timestamp());
        return new End(day, e.sessionId(), at, at, 1, eventsBefore + 1, traits);
    }

    /**
     * Whether {@code e} may come before what is known of its session_id's last session: before its first event, where
     * the events without a session_id may join an earlier session; or, for a session_id's one session, in its first
     * event's microsecond, where the stored first event's id would decide which is first.
     */
    private static boolean beforeKnown(EnrichedEvent e, End end) {
        long at = EventTimes.micros(e.timestamp());
        return end != null && (e.sessionId() == null ? at <= end.startMicros() : at == end.startMicros());
    }

    /** A session_id's one session starting earlier, with {@code e}: it moves to the rollup row of {@code e}'s traits. */
    private static End precede(End end, EnrichedEvent e, Map<TraitsDay, Change> changes) {
        UserTraits traits = e.user() == null ? UserTraits.NONE : e.user();
        long at = EventTimes.micros(e.timestamp());
        changes.merge(row(end.day(), end.traits()), new Change(-1, end.startMicros() - end.lastMicros(), end.sessionEvents() == 1 ? -1 : 0),
                Change::plus);
        changes.merge(row(end.day(), traits), new Change(1, end.lastMicros() - at, 0), Change::plus);
        return new End(end.day(), end.sessionId(), at, end.lastMicros(), end.sessionEvents() + 1, end.events() + 1, traits);
    }

    /** The end's session with one more event at {@code at}, after its first: later than its latest, it lasts longer. */
    private static End grow(End end, long at, Map<TraitsDay, Change> changes) {
        long last = Math.max(end.lastMicros(), at);
        changes.merge(row(end.day(), end.traits()), new Change(0, last - end.lastMicros(), end.sessionEvents() == 1 ? -1 : 0), Change::plus);
        return new End(end.day(), end.sessionId(), end.startMicros(), last, end.sessionEvents() + 1, end.events() + 1, end.traits());
    }


    private static TraitsDay row(UserDay day, UserTraits traits) {
        return new TraitsDay(day.appId(), day.date(), day.userId(), traits, null);
    }

    /* PostgreSQL compares uuids byte by byte, unsigned: UUID.compareTo compares signed halves */
    private static int compareUnsigned(EnrichedEvent a, EnrichedEvent b) {
        int high = Long.compareUnsigned(a.eventId().getMostSignificantBits(), b.eventId().getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.eventId().getLeastSignificantBits(), b.eventId().getLeastSignificantBits());
    }
}
