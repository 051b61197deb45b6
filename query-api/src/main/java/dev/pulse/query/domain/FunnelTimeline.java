package dev.pulse.query.domain;

import java.util.List;

/**
 * One user's events of a funnel's steps in time order, as {@link FunnelPath#best} reads them: times in epoch
 * seconds and a mask of the steps each event matches.
 */
public record FunnelTimeline(double[] ts, int[] masks) {

    /**
     * Merges a user's event names' times (epoch microseconds, each list ascending): {@code times.get(j)} matches the
     * steps of {@code stepMasks[j]}; bit 0 (the first step) only for times in [{@code firstFrom}, {@code firstUntil}),
     * the days the first step may fall on. Equal times of different names may come in either order: a step must be
     * strictly later than the previous one, so their order never changes a path.
     */
    public static FunnelTimeline merge(List<long[]> times, int[] stepMasks, long firstFrom, long firstUntil) {
        int n = 0;
        for (long[] t : times) {
            n += t.length;
        }
        double[] ts = new double[n];
        int[] masks = new int[n];
        int[] at = new int[times.size()];
        for (int i = 0; i < n; i++) {
            int next = -1;
            for (int j = 0; j < at.length; j++) {
                if (at[j] < times.get(j).length && (next < 0 || times.get(j)[at[j]] < times.get(next)[at[next]])) {
                    next = j;
                }
            }
            long micros = times.get(next)[at[next]++];
            // micros / 1e6 is the double PostgreSQL's extract(epoch)::float8 gives for the same instant: both round once
            ts[i] = micros / 1e6;
            masks[i] = micros >= firstFrom && micros < firstUntil ? stepMasks[next] : stepMasks[next] & ~1;
        }
        return new FunnelTimeline(ts, masks);
    }
}
