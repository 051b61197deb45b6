package dev.pulse.query.domain;

/**
 * How far one user got through a funnel: the step times (epoch seconds) of the attempt that reached furthest,
 * the earliest such attempt when several reach as far; {@code group} is the breakdown value on its first event.
 */
public record FunnelPath(double[] times, String group) {

    /** Steps reached: 1 when only the first step happened, up to the number of steps. */
    public int reached() {
        return times.length;
    }

    /**
     * The best attempt of one user's events, in time order: {@code masks[i]} has bit k set when event i matches
     * step k (bit 0 only for events on the days the first step may fall on). Each step's event is strictly later
     * than the previous step's and at most {@code windowSeconds} after the first's. Null when no event matches the
     * first step.
     */
    public static FunnelPath best(double[] ts, int[] masks, String[] groups, int steps, double windowSeconds) {
        int n = ts.length;
        // firstAfter[i]: the first event strictly later than event i; next[k][i]: the first event from i on that
        // matches step k (n: none). Each attempt then costs one lookup per step, so a user with many events is
        // linear in them, not quadratic.
        int[] firstAfter = new int[n];
        for (int i = n - 1, j = n; i >= 0; i--) {
            if (i + 1 < n && ts[i + 1] > ts[i]) {
                j = i + 1;
            }
            firstAfter[i] = j;
        }
        int[][] next = new int[steps][n + 1];
        for (int k = 1; k < steps; k++) {
            next[k][n] = n;
            for (int i = n - 1; i >= 0; i--) {
                next[k][i] = (masks[i] & (1 << k)) != 0 ? i : next[k][i + 1];
            }
        }
        double[] best = null;
        String group = null;
        for (int start = 0; start < n && (best == null || best.length < steps); start++) {
            if ((masks[start] & 1) == 0) {
                continue;
            }
            double deadline = ts[start] + windowSeconds;
            double[] times = new double[steps];
            times[0] = ts[start];
            int reached = 1;
            for (int at = start; reached < steps; reached++) {
                int found = firstAfter[at] == n ? n : next[reached][firstAfter[at]];
                if (found == n || ts[found] > deadline) {
                    break;
                }
                times[reached] = ts[found];
                at = found;
            }
            if (best == null || reached > best.length) {
                best = java.util.Arrays.copyOf(times, reached);
                group = groups == null ? null : groups[start];
            }
        }
        return best == null ? null : new FunnelPath(best, group);
    }

    /**
     * The same best attempt as {@link #best} from the times of each step's event ({@code steps[k]}; a name used by
     * two steps gives both the same times), the first step's only in [{@code firstFrom}, {@code firstUntil}), all in
     * epoch microseconds. Each attempt looks up each next step's earliest time after the previous one, so the cost
     * grows with the first step's events, not with all of them. Null when no time of the first step is in range.
     */
    public static FunnelPath best(StepTimes[] steps, long firstFrom, long firstUntil, long windowMicros) {
        long[] best = null;
        for (long[] week : steps[0].weeks()) {
            for (int i = 0; i < week.length && (best == null || best.length < steps.length); i++) {
                long start = week[i];
                if (start < firstFrom || start >= firstUntil) {
                    continue;
                }
                long[] times = new long[steps.length];
                times[0] = start;
                int reached = 1;
                for (; reached < steps.length; reached++) {
                    long found = steps[reached].firstAfter(times[reached - 1]);
                    if (found == StepTimes.NONE || found - start > windowMicros) {
                        break;
                    }
                    times[reached] = found;
                }
                if (best == null || reached > best.length) {
                    best = java.util.Arrays.copyOf(times, reached);
                }
            }
        }
        if (best == null) {
            return null;
        }
        double[] seconds = new double[best.length];
        for (int k = 0; k < best.length; k++) {
            // micros / 1e6 is the double PostgreSQL's extract(epoch)::float8 gives for the same instant: both round once
            seconds[k] = best[k] / 1e6;
        }
        return new FunnelPath(seconds, null);
    }
}
