package dev.pulse.query.domain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FunnelPathTest {
    private static final String[] NO_GROUPS = null;

    @Test
    void eachStepIsStrictlyLaterThanThePreviousAndWithinTheWindowOfTheFirst() {
        // step 2 before step 1 does not count; an event at the same instant as the previous step's is not later
        double[] ts = {0, 10, 10, 20, 30};
        int[] masks = {2, 1, 2, 2, 4};
        assertArrayEquals(new double[] {10, 20, 30}, FunnelPath.best(ts, masks, NO_GROUPS, 3, 20).times());
        // the window is inclusive: 30 - 10 = 20 reaches, 19 does not
        assertEquals(2, FunnelPath.best(ts, masks, NO_GROUPS, 3, 19).reached());
    }

    @Test
    void theAttemptReachingFurthestCountsAndTheEarliestOfEquals() {
        double[] ts = {0, 100, 150, 160};
        int[] masks = {1, 1, 2, 4};
        // from 0 the window of 100 reaches nothing more; from 100 all three steps
        FunnelPath path = FunnelPath.best(ts, masks, new String[] {"a", "b", "c", "d"}, 3, 100);
        assertArrayEquals(new double[] {100, 150, 160}, path.times());
        assertEquals("b", path.group());
        // with a window long enough for both, the first attempt counts
        assertEquals("a", FunnelPath.best(ts, masks, new String[] {"a", "b", "c", "d"}, 3, 1000).group());
    }

    @Test
    void oneEventServesOneStepOnlyAndNoFirstStepMeansNoPath() {
        // an event matching steps 1 and 2 cannot be both in one attempt
        assertEquals(1, FunnelPath.best(new double[] {5}, new int[] {3}, NO_GROUPS, 2, 60).reached());
        assertEquals(2, FunnelPath.best(new double[] {5, 6}, new int[] {3, 3}, NO_GROUPS, 2, 60).reached());
        assertNull(FunnelPath.best(new double[] {5}, new int[] {2}, NO_GROUPS, 2, 60));
    }

    /**
     * The state's search (each step's times, looked up) against the event-sequence search, on random users: names
     * shared by steps, equal times across names, first-step times outside the range, lists split in weeks.
     */
    @Test
    void searchingEachStepsTimesFindsTheSamePathAsWalkingTheEvents() {
        java.util.Random random = new java.util.Random(18);
        for (int user = 0; user < 3_000; user++) {
            int names = 1 + random.nextInt(3);
            int steps = 2 + random.nextInt(3);
            int[] stepName = new int[steps];
            for (int k = 0; k < steps; k++) {
                stepName[k] = random.nextInt(names);
            }
            java.util.List<java.util.TreeSet<Long>> times = new java.util.ArrayList<>();
            for (int n = 0; n < names; n++) {
                java.util.TreeSet<Long> t = new java.util.TreeSet<>();
                for (int i = random.nextInt(12); i > 0; i--) {
                    t.add((long) random.nextInt(40) * 1_000_000);
                }
                times.add(t);
            }
            long from = random.nextInt(10) * 1_000_000L;
            long until = from + random.nextInt(25) * 1_000_000L;
            long window = (1 + random.nextInt(15)) * 1_000_000L;
            // the events: each (name, time) once, with the steps it matches
            java.util.TreeMap<Long, java.util.List<Integer>> byTime = new java.util.TreeMap<>();
            for (int n = 0; n < names; n++) {
                for (long t : times.get(n)) {
                    byTime.computeIfAbsent(t, x -> new java.util.ArrayList<>()).add(n);
                }
            }
            java.util.List<Double> ts = new java.util.ArrayList<>();
            java.util.List<Integer> masks = new java.util.ArrayList<>();
            byTime.forEach((t, ofTime) -> {
                java.util.Collections.shuffle(ofTime, random);
                for (int n : ofTime) {
                    int mask = 0;
                    for (int k = 0; k < steps; k++) {
                        if (stepName[k] == n && (k > 0 || (t >= from && t < until))) {
                            mask |= 1 << k;
                        }
                    }
                    if (mask != 0) {
                        ts.add(t / 1e6);
                        masks.add(mask);
                    }
                }
            });
            FunnelPath walked = FunnelPath.best(ts.stream().mapToDouble(Double::doubleValue).toArray(),
                    masks.stream().mapToInt(Integer::intValue).toArray(), NO_GROUPS, steps, window / 1e6);
            StepTimes[] lists = new StepTimes[steps];
            for (int k = 0; k < steps; k++) {
                long[] all = times.get(stepName[k]).stream().mapToLong(Long::longValue).toArray();
                int cut = all.length == 0 ? 0 : random.nextInt(all.length + 1);
                lists[k] = new StepTimes(java.util.List.of(java.util.Arrays.copyOfRange(all, 0, cut), java.util.Arrays.copyOfRange(all, cut, all.length)));
            }
            FunnelPath searched = FunnelPath.best(lists, from, until, window);
            String at = "user " + user;
            if (walked == null) {
                assertNull(searched, at);
            } else {
                assertArrayEquals(walked.times(), searched.times(), at);
            }
        }
    }
}
