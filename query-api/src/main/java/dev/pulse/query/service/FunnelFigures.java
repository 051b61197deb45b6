package dev.pulse.query.service;

import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.FunnelResponse.StepFigures;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** The figures of each step from the paths of one group's users. */
final class FunnelFigures {
    private FunnelFigures() {
    }

    static List<StepFigures> of(List<FunnelPath> paths, List<String> events) {
        List<StepFigures> steps = new ArrayList<>(events.size());
        long first = 0;
        long previous = 0;
        for (int k = 0; k < events.size(); k++) {
            int step = k;
            double[] seconds = paths.stream().filter(p -> p.reached() > step).mapToDouble(p -> step == 0 ? 0 : p.times()[step] - p.times()[step - 1])
                    .sorted().toArray();
            long users = seconds.length;
            if (k == 0) {
                first = users;
                previous = users;
            }
            steps.add(new StepFigures(k + 1, events.get(k), users, ratio(users, first), ratio(users, previous), previous - users,
                    k == 0 ? null : nearestRank(seconds, 50), k == 0 ? null : nearestRank(seconds, 90)));
            previous = users;
        }
        return steps;
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0 : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP).doubleValue();
    }

    /** The smallest value that {@code percent} % of the values are at most, to the millisecond; null without values. */
    static Double nearestRank(double[] sorted, int percent) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) ((percent * (long) sorted.length + 99) / 100);
        return Math.round(sorted[rank - 1] * 1000) / 1000.0;
    }
}
