package dev.pulse.query.service;

import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.StepTimes;
import dev.pulse.query.repository.EventTimesRepository.EventWeek;
import dev.pulse.query.repository.EventTimesRepository.WeekTimes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collector;

/**
 * Folds the funnels' state into each user's best path: the closed weeks held in memory ({@link FunnelStateCache}),
 * and the open weeks' rows, read user by user, of which only the current user's are held. A row given up for too
 * many times ends the fold: the raw store must answer.
 */
final class StatePaths {
    private final Funnel funnel;
    private final long firstFrom;
    private final long firstUntil;
    private final long windowMicros;
    private final Map<String, List<EventWeek>> closedWeeks;
    private final List<String> users;
    private final Set<String> folded = new HashSet<>();
    private final List<WeekTimes> userWeeks = new ArrayList<>();
    private final List<FunnelPath> paths = new ArrayList<>();
    private String user;
    private boolean givenUp;

    private StatePaths(Funnel funnel, long firstFrom, long firstUntil, Map<String, List<EventWeek>> closedWeeks, List<String> users) {
        this.funnel = funnel;
        this.firstFrom = firstFrom;
        this.firstUntil = firstUntil;
        this.windowMicros = funnel.window().toSeconds() * 1_000_000;
        this.closedWeeks = closedWeeks;
        this.users = users;
    }

    /**
     * The first step's times count in [{@code firstFrom}, {@code firstUntil}) (epoch microseconds); {@code closedWeeks}
     * per event name the weeks before those the rows are read from, in order; {@code users} every user that may enter
     * (those without rows in the open weeks too).
     */
    static Collector<WeekTimes, ?, StatePaths> of(Funnel funnel, long firstFrom, long firstUntil, Map<String, List<EventWeek>> closedWeeks,
            List<String> users) {
        return Collector.of(() -> new StatePaths(funnel, firstFrom, firstUntil, closedWeeks, users), StatePaths::add, (a, b) -> {
            throw new UnsupportedOperationException("rows arrive in one sequence");
        }, StatePaths::finish);
    }

    List<FunnelPath> paths() {
        return paths;
    }

    boolean givenUp() {
        return givenUp;
    }

    private void add(WeekTimes week) {
        givenUp |= week.micros() == null;
        if (givenUp) {
            return;
        }
        if (!week.userId().equals(user)) {
            finishUser();
            user = week.userId();
        }
        userWeeks.add(week);
    }

    private StatePaths finish() {
        finishUser();
        for (String other : users) {
            if (!givenUp && !folded.contains(other)) {
                user = other;
                finishUser();
            }
        }
        return this;
    }

    private void finishUser() {
        if (user == null) {
            return;
        }
        folded.add(user);
        StepTimes[] steps = new StepTimes[funnel.steps().size()];
        for (int k = 0; k < steps.length; k++) {
            String event = funnel.steps().get(k).event();
            List<long[]> weeks = new ArrayList<>();
            for (EventWeek week : closedWeeks.getOrDefault(event, List.of())) {
                long[] times = week.times().get(user);
                givenUp |= times == null && week.times().containsKey(user);
                if (times != null) {
                    weeks.add(times);
                }
            }
            for (WeekTimes week : userWeeks) {
                if (week.event().equals(event)) {
                    weeks.add(week.micros());
                }
            }
            steps[k] = new StepTimes(weeks);
        }
        FunnelPath path = FunnelPath.best(steps, firstFrom, firstUntil, windowMicros);
        if (path != null) {
            paths.add(path);
        }
        userWeeks.clear();
    }
}
