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
        double[] best = null;
        String group = null;
        for (int start = 0; start < ts.length && (best == null || best.length < steps); start++) {
            if ((masks[start] & 1) == 0) {
                continue;
            }
            double[] attempt = attempt(ts, masks, start, steps, ts[start] + windowSeconds);
            if (best == null || attempt.length > best.length) {
                best = attempt;
                group = groups == null ? null : groups[start];
            }
        }
        return best == null ? null : new FunnelPath(best, group);
    }

    /** From the first step at {@code start}, each next step at its earliest qualifying event: the furthest this attempt gets. */
    private static double[] attempt(double[] ts, int[] masks, int start, int steps, double deadline) {
        double[] times = new double[steps];
        times[0] = ts[start];
        int reached = 1;
        for (int i = start + 1; i < ts.length && reached < steps && ts[i] <= deadline; i++) {
            if ((masks[i] & (1 << reached)) != 0 && ts[i] > times[reached - 1]) {
                times[reached++] = ts[i];
            }
        }
        return java.util.Arrays.copyOf(times, reached);
    }
}
