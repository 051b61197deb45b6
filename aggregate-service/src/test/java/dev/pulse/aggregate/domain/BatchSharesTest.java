package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.BatchShares.AppUser;
import dev.pulse.aggregate.domain.DayState.Key;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.schema.DayStateDimension;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch's share of a day: its rollup rows per value, the values as PostgreSQL writes the columns as text. */
class BatchSharesTest {
    private static final AppDay TODAY = new AppDay(TestEvent.APP, TestEvent.DAY);

    @Test
    void eachRowCountsUnderItsOwnTraitsAndEventSideAsTheirColumnsReadAsText() {
        UserTraits female = new UserTraits(1, 31, "ios", null, "DE", null, 7);
        UserTraits male = new UserTraits(0, 31, "ios", null, "DE", null, null);
        List<EnrichedEvent> events = List.of(
                TestEvent.of("feed.view", "a", 1).traits(female).browsing("mobile", null, "h.example").build(),
                TestEvent.of("feed.like", "a", 2).traits(male).post(42).build(),
                TestEvent.of("page_view", "b", 3).browsing("desktop", null, "h.example").build(),
                TestEvent.of("page_view", "c", 4).on(TestEvent.DAY.minusDays(1)).build());
        Map<AppUser, Integer> ordinals = Map.of(new AppUser(TestEvent.APP, "a"), 10, new AppUser(TestEvent.APP, "b"), 11);

        DayState share = BatchShares.of(RollupDelta.byEventSide(events), Set.of(TODAY), ordinals).get(TODAY);

        // a user whose traits changed within the batch counts under both; gender and age as smallint text, exp_group as int text
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.USER_GENDER, "1")).users);
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.USER_GENDER, "0")).users);
        assertEquals(RoaringBitmap.bitmapOf(11), share.values().get(new Key(DayStateDimension.USER_GENDER, null)).users);
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.USER_EXP_GROUP, "7")).users);
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.USER_AGE, "31")).users);
        Key total = new Key(DayStateDimension.TOTAL, null);
        assertEquals(RoaringBitmap.bitmapOf(10, 11), share.values().get(total).users);
        assertEquals(3, share.values().get(total).sums().events());
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(total).viewers);
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(total).likers);
        // the event side from fact_user_event_daily's rows
        assertEquals(RoaringBitmap.bitmapOf(10, 11), share.values().get(new Key(DayStateDimension.PAGE_HOST, "h.example")).users);
        assertEquals(1, share.values().get(new Key(DayStateDimension.DEVICE, "desktop")).sums().pageViews());
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.EVENT_NAME, "feed.like")).likers);
        // a post id as bigint text; events without one count under null
        assertEquals(RoaringBitmap.bitmapOf(10), share.values().get(new Key(DayStateDimension.POST_ID, "42")).likers);
        assertEquals(RoaringBitmap.bitmapOf(10, 11), share.values().get(new Key(DayStateDimension.POST_ID, null)).users);
        assertEquals(RoaringBitmap.bitmapOf(10, 11), share.values().get(new Key(DayStateDimension.CONTENT_ID, null)).users);
        // the batch's sessions are not its share's: a batch rewrites them
        assertEquals(0, share.values().get(total).sums().sessions());
        assertTrue(share.values().get(total).sessionUsers.isEmpty());
        // a day batches do not add to is left out, and its user needs no ordinal
        assertFalse(BatchShares.of(RollupDelta.byEventSide(events), Set.of(TODAY), ordinals).containsKey(new AppDay(TestEvent.APP, TestEvent.DAY.minusDays(1))));
    }

    @Test
    void aUserWithoutAnOrdinalIsAnError() {
        List<EnrichedEvent> events = List.of(TestEvent.of("page_view", "a", 1).build());
        assertThrows(IllegalStateException.class, () -> BatchShares.of(RollupDelta.byEventSide(events), Set.of(TODAY), Map.of()));
    }
}
