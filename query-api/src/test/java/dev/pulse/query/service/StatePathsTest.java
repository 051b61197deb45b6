package dev.pulse.query.service;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.repository.EventTimesRepository.EventWeek;
import dev.pulse.query.repository.EventTimesRepository.WeekTimes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The closed weeks held in memory and the open weeks streamed give the paths of streaming every week. */
class StatePathsTest {
    private static final LocalDate FIRST_WEEK = LocalDate.of(2026, 11, 2);
    private static final long WEEK_MICROS = 7 * 86_400_000_000L;
    private static final long START = FIRST_WEEK.atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000;
    private static final List<String> NAMES = List.of("a", "b", "c");
    private static final int WEEKS = 4;

    private final Random random = new Random(27);
    /** rows[user][week][name]: ascending distinct times, each inside its week (as aggregate keeps them) */
    private final Map<String, long[][][]> rows = new HashMap<>();
    private final List<String> users = new ArrayList<>();

    StatePathsTest() {
        for (int u = 0; u < 400; u++) {
            String user = "user-" + u;
            long[][][] weeks = new long[WEEKS][NAMES.size()][];
            for (int w = 0; w < WEEKS; w++) {
                for (int n = 0; n < NAMES.size(); n++) {
                    TreeSet<Long> times = new TreeSet<>();
                    for (int i = random.nextInt(6); i > 0; i--) {
                        // whole hours, so that equal times across names happen
                        times.add(START + w * WEEK_MICROS + random.nextInt(7 * 24) * 3_600_000_000L);
                    }
                    weeks[w][n] = times.isEmpty() ? null : times.stream().mapToLong(Long::longValue).toArray();
                }
            }
            rows.put(user, weeks);
            users.add(user);
        }
    }

    private static Funnel funnel(long windowSeconds) {
        App app = new App("app", ZoneOffset.UTC, 1800, true);
        List<Funnel.Step> steps = List.of(new Funnel.Step("a", List.of()), new Funnel.Step("b", List.of()), new Funnel.Step("a", List.of()),
                new Funnel.Step("c", List.of()));
        return new Funnel(app, steps, Duration.ofSeconds(windowSeconds), FIRST_WEEK.plusDays(3), FIRST_WEEK.plusDays(17), null);
    }

    /**
     * The first {@code closed} weeks as held weeks (every user's times, as FunnelStateCache holds them), the others
     * streamed user by user for the users that may enter only (as EventTimesRepository reads them).
     */
    private StatePaths fold(Funnel funnel, int closed) {
        List<String> entering = users.stream().filter(u -> u.hashCode() % 3 != 0).toList();
        Map<String, List<EventWeek>> held = new HashMap<>();
        for (int w = 0; w < closed; w++) {
            for (int n = 0; n < NAMES.size(); n++) {
                Map<String, long[]> times = new HashMap<>();
                for (String user : users) {
                    long[] t = rows.get(user)[w][n];
                    if (t != null) {
                        times.put(user, t);
                    }
                }
                held.computeIfAbsent(NAMES.get(n), x -> new ArrayList<>()).add(new EventWeek(times, true, 0));
            }
        }
        List<WeekTimes> streamed = new ArrayList<>();
        for (String user : entering.stream().sorted().toList()) {
            for (int w = closed; w < WEEKS; w++) {
                for (int n = 0; n < NAMES.size(); n++) {
                    long[] t = rows.get(user)[w][n];
                    if (t != null) {
                        streamed.add(new WeekTimes(user, NAMES.get(n), FIRST_WEEK.plusWeeks(w), t));
                    }
                }
            }
        }
        long from = START + 3 * 86_400_000_000L;
        return streamed.stream().collect(StatePaths.of(funnel, from, from + 15 * 86_400_000_000L, held, entering));
    }

    private static List<String> sorted(List<FunnelPath> paths) {
        return paths.stream().map(p -> Arrays.toString(p.times())).sorted().toList();
    }

    @Test
    void heldWeeksAndStreamedWeeksGiveThePathsOfStreamingAll() {
        for (long window : new long[] {3_600, 86_400, 3 * 86_400}) {
            Funnel funnel = funnel(window);
            List<String> streamedOnly = sorted(fold(funnel, 0).paths());
            assertTrue(streamedOnly.size() > 100 && streamedOnly.size() < users.size() * 3 / 4, "enough users enter, not all");
            for (int closed = 1; closed <= WEEKS; closed++) {
                assertEquals(streamedOnly, sorted(fold(funnel, closed).paths()), closed + " weeks held, window " + window);
            }
        }
    }

    @Test
    void aGivenUpRowOfAUserWhoMayEnterEndsTheFoldAndOneOfAnotherDoesNot() {
        Funnel funnel = funnel(86_400);
        String entering = users.get(0);
        // a given-up row is held as a user without times
        Map<String, List<EventWeek>> held = new HashMap<>();
        Map<String, long[]> givenUp = new HashMap<>();
        givenUp.put(entering, null);
        held.put("b", List.of(new EventWeek(givenUp, true, 0)));
        assertTrue(List.<WeekTimes>of().stream().collect(StatePaths.of(funnel, START, START + WEEK_MICROS, held, List.of(entering))).givenUp());
        Map<String, long[]> otherGivenUp = new HashMap<>();
        otherGivenUp.put("never-enters", null);
        held.put("b", List.of(new EventWeek(otherGivenUp, true, 0)));
        assertFalse(List.<WeekTimes>of().stream().collect(StatePaths.of(funnel, START, START + WEEK_MICROS, held, List.of(entering))).givenUp());
    }
}
