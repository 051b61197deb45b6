package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.RollupDelta.TraitsDay;
import dev.pulse.aggregate.domain.SessionDelta.Change;
import dev.pulse.aggregate.domain.SessionDelta.End;
import dev.pulse.aggregate.domain.SessionDelta.Stored;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.testing.SessionRuns;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions kept batch by batch from their ends, as SessionRepository keeps them (the user-days the delta cannot
 * answer for recomputed from every event so far), against the sessions of all events worked out at once by
 * {@link SessionRuns}: random batches of mostly later events, some late, some in the same microsecond, some with a
 * session_id, and user-days whose ends are missing, wholly (kept before V31) or in part.
 */
class SessionDeltaTest {
    private static final int TIMEOUT = 600;
    private static final List<UserTraits> TRAITS = List.of(UserTraits.NONE, new UserTraits(1, 30, "iOS", "ads", "DE", "Berlin", 2),
            new UserTraits(0, null, null, null, "FR", null, null));
    private static final Function<EnrichedEvent, Instant> STORED_TIME = e -> e.timestamp().truncatedTo(ChronoUnit.MICROS);
    /* PostgreSQL's order: time as stored, then the uuid's bytes, which its text form orders alike */
    private static final Comparator<EnrichedEvent> ORDER = Comparator.comparing(STORED_TIME).thenComparing(e -> e.eventId().toString());

    private final Random random = new Random(15);

    @Test
    void sessionsKeptFromEndsAreTheSessionsOfAllEvents() {
        int fromEnds = 0;
        int recomputed = 0;
        for (int round = 0; round < 300; round++) {
            List<EnrichedEvent> all = new ArrayList<>();
            Map<UserDay, Map<String, End>> ends = new HashMap<>();
            Map<TraitsDay, Change> kept = new HashMap<>();
            Set<UserDay> damaged = new HashSet<>();
            for (int batch = 0; batch < 8; batch++) {
                List<EnrichedEvent> fresh = batch(batch, all);
                List<EnrichedEvent> before = List.copyOf(all);
                all.addAll(fresh);
                // ends not kept for a user-day (kept before V31), or one session_id's missing (a path that did not keep them)
                if (random.nextInt(10) == 0 && !ends.isEmpty()) {
                    ends.remove(ends.keySet().iterator().next());
                }
                if (random.nextInt(10) == 0) {
                    ends.entrySet().stream().filter(day -> !day.getValue().isEmpty() && !damaged.contains(day.getKey())).findFirst()
                            .ifPresent(day -> {
                                day.getValue().remove(day.getValue().keySet().iterator().next());
                                damaged.add(day.getKey());
                            });
                } else if (random.nextInt(10) == 0) {
                    // or counting events the rollup no longer has (an older pod's erasure left them)
                    ends.entrySet().stream().filter(day -> !day.getValue().isEmpty() && !damaged.contains(day.getKey())).findFirst()
                            .ifPresent(day -> {
                                End end = day.getValue().values().iterator().next();
                                day.getValue().put(end.sessionId(), new End(end.day(), end.sessionId(), end.startMicros(), end.lastMicros(),
                                        end.sessionEvents(), end.events() + 1 + random.nextInt(3), end.traits()));
                                damaged.add(day.getKey());
                            });
                }
                Map<UserDay, Stored> stored = new HashMap<>();
                for (EnrichedEvent e : fresh) {
                    UserDay day = userDay(e);
                    stored.put(day, new Stored(List.copyOf(ends.getOrDefault(day, Map.of()).values()),
                            before.stream().filter(x -> userDay(x).equals(day)).count()));
                }
                SessionDelta delta = SessionDelta.of(fresh, stored, Map.of(TestEvent.APP, TIMEOUT));
                for (UserDay day : stored.keySet()) {
                    assertTrue(!damaged.contains(day) || delta.recompute().contains(day), "damaged ends of " + day + " used");
                }
                damaged.removeAll(delta.recompute());
                delta.changes().forEach((row, change) -> kept.merge(row, change, Change::plus));
                delta.ends().forEach(end -> ends.computeIfAbsent(end.day(), k -> new HashMap<>()).put(end.sessionId(), end));
                for (UserDay day : delta.recompute()) {
                    List<EnrichedEvent> dayEvents = all.stream().filter(e -> userDay(e).equals(day)).toList();
                    kept.keySet().removeIf(row -> userDay(row).equals(day));
                    kept.putAll(rows(dayEvents));
                    ends.put(day, endsOf(dayEvents));
                }
                fromEnds += stored.size() - delta.recompute().size();
                recomputed += delta.recompute().size();
                kept.values().removeIf(c -> c.equals(new Change(0, 0, 0)));
                assertEquals(rows(all), kept, "round " + round + ", batch " + batch);
                Map<UserDay, Map<String, End>> expectedEnds = new HashMap<>();
                all.stream().map(SessionDeltaTest::userDay).distinct().filter(day -> ends.containsKey(day) && !damaged.contains(day))
                        .forEach(day -> expectedEnds.put(day, endsOf(all.stream().filter(e -> userDay(e).equals(day)).toList())));
                assertEquals(expectedEnds, ends.entrySet().stream().filter(day -> !damaged.contains(day.getKey()))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "round " + round + ", batch " + batch);
            }
        }
        assertTrue(fromEnds > 3 * recomputed, fromEnds + " user-days from their ends, " + recomputed + " recomputed");
        assertTrue(recomputed > 100, recomputed + " recomputed");
    }

    /** Events of two users on two days: each batch half an hour on, a few late ones, a few in the microsecond of another. */
    private List<EnrichedEvent> batch(int batch, List<EnrichedEvent> before) {
        List<EnrichedEvent> events = new ArrayList<>();
        int size = 1 + random.nextInt(6);
        for (int i = 0; i < size; i++) {
            LocalDate date = TestEvent.DAY.plusDays(random.nextInt(2));
            Instant at;
            if (!before.isEmpty() && random.nextInt(8) == 0) {
                at = before.get(random.nextInt(before.size())).timestamp();
                date = before.stream().filter(e -> e.timestamp().equals(at)).findFirst().orElseThrow().eventDate();
            } else {
                long minutes = random.nextInt(6) == 0 ? random.nextInt(batch * 30 + 1) : batch * 30L + random.nextInt(40);
                at = date.atStartOfDay(ZoneOffset.UTC).toInstant().plus(minutes, ChronoUnit.MINUTES)
                        .plusNanos(random.nextInt(60_000_000) * 1000L + (random.nextBoolean() ? random.nextInt(1000) : 0));
            }
            String sessionId = random.nextInt(3) == 0 ? (random.nextBoolean() ? "a" : "b") : null;
            UserTraits traits = TRAITS.get(random.nextInt(TRAITS.size()));
            events.add(new EnrichedEvent(TestEvent.APP, UUID.randomUUID(), "page_view", null, random.nextBoolean() ? "u1" : "u2", at, date, at,
                    false, false, sessionId, null, null, null, null, null, null, null, null, traits.isEmpty() && random.nextBoolean() ? null : traits,
                    null, null, null, null, null, null, null, null, null, null, null));
        }
        return events;
    }

    private static List<List<EnrichedEvent>> sessions(List<EnrichedEvent> events) {
        return SessionRuns.of(events, SessionDeltaTest::userDay, EnrichedEvent::sessionId, STORED_TIME, ORDER, Duration.ofSeconds(TIMEOUT));
    }

    private static Map<TraitsDay, Change> rows(List<EnrichedEvent> events) {
        Map<TraitsDay, Change> rows = new HashMap<>();
        for (List<EnrichedEvent> session : sessions(events)) {
            EnrichedEvent first = session.getFirst();
            long micros = ChronoUnit.MICROS.between(STORED_TIME.apply(first), STORED_TIME.apply(session.getLast()));
            rows.merge(new TraitsDay(first.appId(), first.eventDate(), first.userId(), traits(first), null),
                    new Change(1, micros, session.size() == 1 ? 1 : 0), Change::plus);
        }
        return rows;
    }

    /** Per session_id, its last session's end. */
    private static Map<String, End> endsOf(List<EnrichedEvent> dayEvents) {
        Map<String, End> ends = new HashMap<>();
        for (List<EnrichedEvent> session : sessions(dayEvents)) {
            EnrichedEvent first = session.getFirst();
            long start = ChronoUnit.MICROS.between(Instant.EPOCH, STORED_TIME.apply(first));
            long last = ChronoUnit.MICROS.between(Instant.EPOCH, STORED_TIME.apply(session.getLast()));
            int events = (int) dayEvents.stream().filter(e -> Objects.equals(e.sessionId(), first.sessionId())).count();
            ends.merge(first.sessionId(), new End(userDay(first), first.sessionId(), start, last, session.size(), events, traits(first)),
                    (a, b) -> a.lastMicros() > b.lastMicros() ? a : b);
        }
        return ends;
    }

    private static UserTraits traits(EnrichedEvent e) {
        return Objects.requireNonNullElse(e.user(), UserTraits.NONE);
    }

    private static UserDay userDay(EnrichedEvent e) {
        return new UserDay(e.appId(), e.eventDate(), e.userId());
    }

    private static UserDay userDay(TraitsDay row) {
        return new UserDay(row.appId(), row.date(), row.userId());
    }
}
