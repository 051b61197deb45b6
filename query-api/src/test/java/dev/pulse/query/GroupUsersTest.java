package dev.pulse.query;

import dev.pulse.query.domain.GroupUsers;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.RollupTotals;
import dev.pulse.query.testing.RandomPartials;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A group's users as bitmaps give every rollup metric the per-user partials give: random days of random users,
 * folded both ways (per user merged over the days, as UserPartials does; per day ORed, as the day state does).
 */
class GroupUsersTest {
    @Test
    void everyRollupMetricEqualsThePerUserFold() {
        Random random = new Random(5);
        for (int round = 0; round < 60; round++) {
            // a few users (their ordinals sorted into the union) or many (bitmaps ORed), over one container or several,
            // some numbered for one answer only (negative)
            int range = List.of(15, 2_000, 200_000).get(round % 3);
            int rows = range == 15 ? 20 : 300;
            int below = round % 4 == 0 ? range / 2 : 0;
            Map<Integer, Object[]> perUser = new HashMap<>();
            List<GroupUsers> days = new ArrayList<>();
            RoaringBitmap firstUsers = new RoaringBitmap();
            for (int day = 0; day < 5; day++) {
                GroupUsers dayUsers = new GroupUsers();
                for (int row = 0; row < rows; row++) {
                    int user = random.nextInt(range) - below;
                    boolean firstHere = random.nextInt(10) == 0;
                    Object[] partials = RandomPartials.of(random, firstHere);
                    if (firstHere) {
                        firstUsers.add(user);
                    }
                    perUser.merge(user, partials, GroupUsersTest::merge);
                    // the state keeps the flag as first users, not per row
                    Object[] kept = partials.clone();
                    kept[Partial.NEW.ordinal()] = null;
                    dayUsers.addUser(user, kept);
                }
                days.add(dayUsers);
            }
            RollupTotals expected = new RollupTotals();
            perUser.forEach((user, partials) -> {
                partials[Partial.NEW.ordinal()] = firstUsers.contains(user);
                expected.add(partials);
            });
            RollupTotals actual = GroupUsers.union(days).totals(firstUsers);
            for (Metric metric : Metric.values()) {
                if (metric.inRollup()) {
                    assertEquals(String.valueOf(metric.fromRollup(expected)), String.valueOf(metric.fromRollup(actual)), metric.apiName());
                }
            }
        }
    }

    /**
     * The union of a group's days holds exactly the users of its parts, around the size where it stops sorting their
     * ordinals and ORs the bitmaps, over one container or several, with users numbered for one answer only; the parts
     * (a cache may hold them) are unchanged.
     */
    @Test
    void aUnionHoldsEveryPartsUsersAndLeavesThePartsAsTheyWere() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int total = List.of(1, 100, 511, 512, 513, 600, 3000).get(round % 7);
            int range = List.of(50, 70_000, 1 << 30).get(round / 7 % 3);
            int parts = 1 + random.nextInt(30);
            List<GroupUsers> days = new ArrayList<>();
            List<RoaringBitmap> before = new ArrayList<>();
            RoaringBitmap expected = new RoaringBitmap();
            for (int day = 0; day < parts; day++) {
                GroupUsers part = new GroupUsers();
                for (int user = 0; user < Math.max(1, total / parts); user++) {
                    int ordinal = random.nextInt(range) - (round % 2 == 0 ? 0 : range / 3);
                    part.addUser(ordinal, new Object[Partial.values().length]);
                    expected.add(ordinal);
                }
                days.add(part);
                before.add(part.users().clone());
            }
            assertEquals(expected, GroupUsers.union(days).users(), total + " users over " + parts + " parts in " + range);
            for (int day = 0; day < parts; day++) {
                assertEquals(before.get(day), days.get(day).users(), "part " + day + " unchanged");
            }
        }
    }

    /**
     * A user one read numbered for its answer and another by ordinal (aggregate numbered them in between) is one user
     * once renumbered, in every count; the group renumbered is a copy, the one a cache may hold is unchanged.
     */
    @Test
    void aUserNumberedTwoWaysIsOneUserOnceRenumbered() {
        Random random = new Random(9);
        for (int round = 0; round < 50; round++) {
            GroupUsers byOrdinal = new GroupUsers();
            GroupUsers twoWays = new GroupUsers();
            for (int row = 0; row < 20; row++) {
                int user = random.nextInt(6);
                Object[] partials = RandomPartials.of(random, false);
                partials[Partial.NEW.ordinal()] = null;
                byOrdinal.addUser(user, partials);
                twoWays.addUser(user == 2 && random.nextBoolean() ? -1 : user, partials);
            }
            RoaringBitmap firstUsers = RoaringBitmap.bitmapOf(2, 4);
            RoaringBitmap firstTwoWays = RoaringBitmap.bitmapOf(random.nextBoolean() ? -1 : 2, 4);
            RoaringBitmap before = twoWays.users().clone();
            RollupTotals expected = byOrdinal.totals(firstUsers);
            RoaringBitmap replaced = RoaringBitmap.bitmapOf(-1);
            RollupTotals actual = twoWays.renumbered(Map.of(-1, 2), replaced).totals(GroupUsers.renumbered(firstTwoWays, Map.of(-1, 2), replaced));
            for (Metric metric : Metric.values()) {
                if (metric.inRollup()) {
                    assertEquals(String.valueOf(metric.fromRollup(expected)), String.valueOf(metric.fromRollup(actual)), metric.apiName());
                }
            }
            assertEquals(before, twoWays.users());
            assertSame(byOrdinal, byOrdinal.renumbered(Map.of(-1, 2), replaced), "a group without the numbers replaced is not copied");
        }
    }

    private static Object[] merge(Object[] a, Object[] b) {
        Object[] merged = new Object[a.length];
        for (int i = 0; i < a.length; i++) {
            merged[i] = Partial.merge(a[i], b[i]);
        }
        return merged;
    }
}
