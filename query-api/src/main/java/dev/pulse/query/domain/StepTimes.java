package dev.pulse.query.domain;

import java.util.Arrays;
import java.util.List;

/**
 * One user's times of one step's event (epoch microseconds) as the funnels' state holds them: one ascending list
 * per week, the weeks in order, so that the whole is ascending too.
 */
public record StepTimes(List<long[]> weeks) {
    /** No time after the one asked for. */
    public static final long NONE = Long.MAX_VALUE;

    /** The earliest time strictly after {@code micros}, or {@link #NONE}. */
    public long firstAfter(long micros) {
        for (long[] week : weeks) {
            if (week.length > 0 && week[week.length - 1] > micros) {
                int i = Arrays.binarySearch(week, micros);
                // found: the next one is strictly later (a list holds each time once); not found: the insertion point is
                return week[i >= 0 ? i + 1 : -i - 1];
            }
        }
        return NONE;
    }
}
