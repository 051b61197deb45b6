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
}
