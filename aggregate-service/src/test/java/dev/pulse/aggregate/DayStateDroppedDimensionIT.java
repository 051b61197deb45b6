package dev.pulse.aggregate;

import dev.pulse.aggregate.service.DayStateJob;
import dev.pulse.aggregate.service.OpenDayStateJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static dev.pulse.aggregate.Stored.queryLong;
import static dev.pulse.aggregate.Stored.send;
import static dev.pulse.aggregate.Stored.unheld;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A day with more values than the state holds drops the dimension of the most (its posts, here), not the day: every
 * other dimension stays equal to the raw store, through the build, a late batch's change, today's base and its merge.
 */
@QuarkusTest
@TestProfile(DayStateDroppedDimensionIT.FewValues.class)
@WithTestResource(PulseInfrastructure.class)
class DayStateDroppedDimensionIT {
    /** The random events of a day have about 35 values over all dimensions; 40 posts more are over 60. */
    public static class FewValues implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.aggregate.day-state.max-values", "60");
        }
    }

    @Inject
    DayStateJob closedDays;
    @Inject
    OpenDayStateJob openDays;

    @Test
    void aDayOfManyPostsKeepsEveryOtherDimension() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(5);
        Random random = new Random(37);
        List<EnrichedEvent> events = DayStateIT.events(app, random, first, 120);
        events.addAll(feedViews(app, random, first.atTime(6, 0).toInstant(ZoneOffset.UTC), 100, 40));
        send(app, events);
        DayStateIT.awaitBuilt(closedDays, app, first, today.minusDays(2));
        assertEquals(Set.of("post:id"), unheld("day_state", app, first));
        assertEquals(Set.of(), unheld("day_state", app, first.plusDays(1)), "a day of few posts holds them");
        DayStateIT.assertStateEqualsTheRawStore(app, first, first.plusDays(1));

        // late events of known users, new posts among them: the batch changes the held dimensions of the day's state
        List<EnrichedEvent> late = DayStateIT.events(app, random, first, 20);
        late.addAll(feedViews(app, random, first.atTime(7, 0).toInstant(ZoneOffset.UTC), 300, 5));
        send(app, late);
        assertEquals(0, queryLong("""
                SELECT count(*) FROM day_state s WHERE s.app_id = '%1$s' AND s.event_date BETWEEN '%2$s' AND '%3$s'
                  AND s.day_version <> coalesce((SELECT version FROM closed_day_changes c WHERE c.app_id = '%1$s' AND c.event_date = s.event_date), 0)"""
                .formatted(app, first, first.plusDays(1))), "the batch changed the days' states");
        assertEquals(Set.of("post:id"), unheld("day_state", app, first));
        DayStateIT.assertStateEqualsTheRawStore(app, first, first.plusDays(1));

        // today: the base drops the posts too, batches add theirs all the same, and a merge drops them again
        List<EnrichedEvent> todays = OpenDayStateIT.events(app, random, today, 60, 15);
        todays.addAll(feedViews(app, random, Instant.now().minusMillis(1), 100, 40));
        send(app, todays);
        OpenDayStateIT.awaitBased(openDays, app, today);
        assertEquals(Set.of("post:id"), unheld("open_day_state", app, today));
        OpenDayStateIT.assertStateEqualsTheRawStore(app, today);
        // batches after the base add no shares of the posts, which the day does not hold
        String posts = "SELECT count(*) FROM day_value_deltas WHERE app_id = '" + app + "' AND event_date = '" + today + "' AND dimension = 'post:id'";
        for (int i = 0; i < 5; i++) {
            send(app, feedViews(app, random, Instant.now().minusMillis(1), 100, 10));
        }
        assertEquals(0, queryLong(posts));
        OpenDayStateIT.assertStateEqualsTheRawStore(app, today);
        // a merge of the piled-up shares keeps them out too, though the day's other values are few now
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            openDays.merge().await().atMost(Duration.ofSeconds(30));
            return queryLong("SELECT count(*) - count(DISTINCT (dimension, value)) FROM day_value_deltas WHERE app_id = '" + app
                    + "' AND event_date = '" + today + "'") == 0;
        });
        assertEquals(0, queryLong(posts));
        assertEquals(Set.of("post:id"), unheld("open_day_state", app, today));
        OpenDayStateIT.assertStateEqualsTheRawStore(app, today);
    }

    /** {@code count} feed views of posts {@code firstPost}.. at {@code at}, of users u0..u14 (those of the other events). */
    private static List<EnrichedEvent> feedViews(String app, Random random, Instant at, long firstPost, int count) {
        List<EnrichedEvent> views = new ArrayList<>();
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        for (int i = 0; i < count; i++) {
            views.add(new EnrichedEvent(app, UUID.randomUUID(), "feed.view", "engagement", "u" + random.nextInt(15), at, day, at, false, false,
                    null, null, firstPost + i, null, null, null, null, null, null, new UserTraits(random.nextInt(2), 30, null, null, "DE", null, null),
                    "mobile", null, null, null, null, null, null, null, null, null, null));
        }
        return views;
    }
}
