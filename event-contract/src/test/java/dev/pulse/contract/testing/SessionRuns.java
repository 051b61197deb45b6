package dev.pulse.contract.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Sessions as README "Sessions" defines them, worked out in tests independently of the SQL that computes them: per
 * user-day, the events with a session_id grouped by it, the others split where the gap to the previous one exceeds
 * the timeout (a gap equal to it stays in the session).
 */
public final class SessionRuns {
    private SessionRuns() {
    }

    /**
     * @param userDay the user and app-local day of an event, as a key
     * @param order   the events' order within a session (time, then what breaks ties)
     * @return each session's events, in {@code order}
     */
    public static <E> List<List<E>> of(List<E> events, Function<E, Object> userDay, Function<E, String> sessionId,
            Function<E, Instant> at, Comparator<E> order, Duration timeout) {
        Map<List<Object>, List<E>> runs = events.stream().collect(Collectors.groupingBy(
                e -> List.of(userDay.apply(e), String.valueOf(sessionId.apply(e)), sessionId.apply(e) == null)));
        List<List<E>> sessions = new ArrayList<>();
        runs.values().forEach(run -> {
            List<E> current = new ArrayList<>();
            for (E e : run.stream().sorted(order).toList()) {
                if (!current.isEmpty() && sessionId.apply(e) == null
                        && Duration.between(at.apply(current.get(current.size() - 1)), at.apply(e)).compareTo(timeout) > 0) {
                    sessions.add(current);
                    current = new ArrayList<>();
                }
                current.add(e);
            }
            sessions.add(current);
        });
        return sessions;
    }
}
