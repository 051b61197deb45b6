package dev.pulse.query.service;

import dev.pulse.query.domain.FunnelPath;
import dev.pulse.query.domain.FunnelResponse.StepFigures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FunnelFiguresTest {
    @Test
    void usersConversionsDropOffAndNearestRankPercentiles() {
        List<FunnelPath> paths = List.of(new FunnelPath(new double[] {0, 10}, null), new FunnelPath(new double[] {0, 30}, null),
                new FunnelPath(new double[] {0, 20}, null), new FunnelPath(new double[] {0}, null));
        List<StepFigures> steps = FunnelFigures.of(paths, List.of("signup", "feed.view", "purchase"));
        assertEquals(new StepFigures(1, "signup", 4, 1.0, 1.0, 0, null, null), steps.get(0));
        // 3 of 4; seconds 10, 20, 30: the median is the 2nd (ceil(1.5)), the 90th percentile the 3rd (ceil(2.7))
        assertEquals(new StepFigures(2, "feed.view", 3, 0.75, 0.75, 1, 20.0, 30.0), steps.get(1));
        assertEquals(new StepFigures(3, "purchase", 0, 0.0, 0.0, 3, null, null), steps.get(2));
    }

    @Test
    void nearestRankOfTenValues() {
        double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5.0, FunnelFigures.nearestRank(values, 50));
        assertEquals(9.0, FunnelFigures.nearestRank(values, 90));
        assertNull(FunnelFigures.nearestRank(new double[0], 50));
    }
}
