package dev.pulse.query.domain;

/**
 * One user's events of a funnel's steps in time order, as {@link FunnelPath#best} reads them: times in epoch
 * seconds and a mask of the steps each event matches.
 */
public record FunnelTimeline(double[] ts, int[] masks) {

    /**
     * Merges a user's event names' times (epoch microseconds, each list ascending): {@code times[j]} matches the
     * steps of {@code stepMasks[j]}; bit 0 (the first step) only for times in [{@code firstFrom}, {@code firstUntil}),
     * the days the first step may fall on. Equal times of different names may come in either order: a step must be
     * strictly later than the previous one, so their order never changes a path.
     */
    public static FunnelTimeline merge(long[][] times, int[] stepMasks, long firstFrom, long firstUntil) {
        int n = 0;
        for (long[] t : times) {
            n += t.length;
        }
        double[] ts = new double[n];
        int[] masks = new int[n];
        int[] at = new int[times.length];
        for (int i = 0; i < n; i++) {
            int next = -1;
            long earliest = Long.MAX_VALUE;
            for (int j = 0; j < times.length; j++) {
                if (at[j] < times[j].length && (next < 0 || times[j][at[j]] < earliest)) {
                    next = j;
                    earliest = times[j][at[j]];
                }
            }
            at[next]++;
            // micros / 1e6 is the double PostgreSQL's extract(epoch)::float8 gives for the same instant: both round once
            ts[i] = earliest / 1e6;
            masks[i] = earliest >= firstFrom && earliest < firstUntil ? stepMasks[next] : stepMasks[next] & ~1;
        }
        return new FunnelTimeline(ts, masks);
    }
}
