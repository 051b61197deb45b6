package dev.pulse.query.domain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FunnelTimelineTest {

    @Test
    void namesMergeInTimeOrderWithTheirStepsMasks() {
        // signup (step 0) and view (steps 1 and 2, a funnel signup -> view -> view)
        FunnelTimeline t = FunnelTimeline.merge(new long[][] {new long[] {1_000_000, 5_000_000}, new long[] {2_000_000, 3_000_000, 9_000_000}},
                new int[] {0b001, 0b110}, 0, Long.MAX_VALUE);
        assertArrayEquals(new double[] {1, 2, 3, 5, 9}, t.ts());
        assertArrayEquals(new int[] {0b001, 0b110, 0b110, 0b001, 0b110}, t.masks());
    }

    @Test
    void theFirstStepCountsOnlyWithinItsDaysAndOtherStepsStay() {
        // a name that is both the first and a later step keeps its later bits outside the first step's days
        FunnelTimeline t = FunnelTimeline.merge(new long[][] {new long[] {1_000_000, 2_000_000, 3_000_000}}, new int[] {0b011}, 2_000_000, 3_000_000);
        assertArrayEquals(new int[] {0b010, 0b011, 0b010}, t.masks());
    }

    @Test
    void microsecondsBecomeTheSecondsPostgreSqlWouldGive() {
        FunnelTimeline t = FunnelTimeline.merge(new long[][] {new long[] {1_780_000_000_123_457L}}, new int[] {1}, 0, Long.MAX_VALUE);
        assertEquals(1_780_000_000.123457, t.ts()[0]);
    }

    @Test
    void noTimesNoEvents() {
        FunnelTimeline t = FunnelTimeline.merge(new long[][] {new long[0], new long[0]}, new int[] {1, 2}, 0, Long.MAX_VALUE);
        assertEquals(0, t.ts().length);
    }
}
