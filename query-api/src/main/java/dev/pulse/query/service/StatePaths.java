package dev.pulse.query.service;

import dev.pulse.query.domain.Funnel;
import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.StepTimes;
import dev.pulse.query.repository.EventTimesRepository.WeekTimes;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collector;

/**
 * Folds the funnels' state, read user by user, into each user's best path; only the current user's rows are held.
 * A row given up for too many times ends the fold: the raw store must answer.
 */
final class StatePaths {
    private final Funnel funnel;
    private final long firstFrom;
    private final long firstUntil;
    private final long windowMicros;
    private final List<WeekTimes> userWeeks = new ArrayList<>();
    private final List<FunnelPath> paths = new ArrayList<>();
    private String user;
    private boolean givenUp;

    private StatePaths(Funnel funnel, long firstFrom, long firstUntil) {
        this.funnel = funnel;
        this.firstFrom = firstFrom;
        this.firstUntil = firstUntil;
        this.windowMicros = funnel.window().toSeconds() * 1_000_000;
    }

    /** The first step's times count in [{@code firstFrom}, {@code firstUntil}) (epoch microseconds). */
    static Collector<WeekTimes, ?, StatePaths> of(Funnel funnel, long firstFrom, long firstUntil) {
        return Collector.of(() -> new StatePaths(funnel, firstFrom, firstUntil), StatePaths::add, (a, b) -> {
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
        return this;
    }

    private void finishUser() {
        if (userWeeks.isEmpty()) {
            return;
        }
        StepTimes[] steps = new StepTimes[funnel.steps().size()];
        for (int k = 0; k < steps.length; k++) {
            String event = funnel.steps().get(k).event();
            List<long[]> weeks = new ArrayList<>();
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
