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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Users given as bitmaps (a day's state row, ORed once or again) or one by one (the rollup's rows) are the same users
     * however many there are, around the size up to which a group holds their ordinals instead of a bitmap: in its
     * union with other parts above and below the size where the union sorts ordinals, in its totals and new users,
     * compared with a group that added them one by one, and renumbered; a call leaves the bitmap it is given as it was,
     * and a union or a renumbering the parts.
     */
    @Test
    void usersGivenAsBitmapsAreTheSameUsersWhateverTheirNumber() {
        Random random = new Random(13);
        for (int round = 0; round < 400; round++) {
            List<GroupUsers> parts = new ArrayList<>();
            List<GroupUsers> addedOneByOne = new ArrayList<>();
            List<RoaringBitmap> before = new ArrayList<>();
            RoaringBitmap expected = new RoaringBitmap();
            RoaringBitmap expectedNew = new RoaringBitmap();
            int days = 1 + random.nextInt(12);
            for (int day = 0; day < days; day++) {
                GroupUsers part = new GroupUsers();
                GroupUsers oneByOne = new GroupUsers();
                long views = 0;
                // a base and a batch's share, each of 0 to 130 users, given as a bitmap or (the rollup's rows) one by one
                int rows = 1 + random.nextInt(3);
                for (int row = 0; row < rows; row++) {
                    RoaringBitmap given = new RoaringBitmap();
                    int users = List.of(0, 1, 63, 64, 65, 130).get(random.nextInt(6)) - random.nextInt(2);
                    int range = random.nextBoolean() ? 200 : 1 << 20;
                    for (int user = 0; user < users; user++) {
                        given.add(random.nextInt(range) - (round % 5 == 0 ? range / 2 : 0));
                    }
                    RoaringBitmap copy = given.clone();
                    RoaringBitmap fresh = random.nextBoolean() ? given.clone() : new RoaringBitmap();
                    if (random.nextInt(4) == 0) {
                        copy.forEach((int user) -> part.addUser(user, viewed(fresh.contains(user))));
                    } else {
                        part.or(GroupUsers.Kind.USERS, given);
                        assertEquals(copy, given, "the bitmap given is not changed");
                        part.or(GroupUsers.Kind.VIEWERS, given.clone());
                        part.orNew(fresh.clone());
                        views += copy.getLongCardinality();
                    }
                    copy.forEach((int user) -> oneByOne.addUser(user, viewed(fresh.contains(user))));
                    expected.or(copy);
                    expectedNew.or(fresh);
                }
                if (views > 0) {
                    part.add(Partial.VIEWS, views);
                }
                before.add(part.users().clone());
                assertTrue(part.sameAs(oneByOne) && oneByOne.sameAs(part), "the same users held either way");
                if (!part.users().isEmpty()) {
                    // the same users but one more: the same kinds, new users and sums otherwise
                    GroupUsers other = new GroupUsers();
                    RoaringBitmap more = part.users().clone();
                    more.add(1 << 30);
                    other.or(GroupUsers.Kind.USERS, more);
                    other.or(GroupUsers.Kind.VIEWERS, part.users().clone());
                    other.orNew(part.newUsers(new RoaringBitmap()).clone());
                    other.add(Partial.VIEWS, part.totals(new RoaringBitmap()).count(Partial.VIEWS));
                    assertFalse(part.sameAs(other), "other users are not the same");
                    other = new GroupUsers();
                    other.or(GroupUsers.Kind.USERS, part.users().clone());
                    other.or(GroupUsers.Kind.VIEWERS, part.users().clone());
                    other.orNew(part.newUsers(new RoaringBitmap()).clone());
                    other.add(Partial.VIEWS, part.totals(new RoaringBitmap()).count(Partial.VIEWS));
                    assertTrue(part.sameAs(other) && other.sameAs(part), "the same users, kinds and sums, given another way");
                }
                parts.add(part);
                addedOneByOne.add(oneByOne);
            }
            GroupUsers union = GroupUsers.union(parts);
            assertEquals(expected, union.users(), "the union of " + days + " parts");
            assertEquals(expectedNew, union.newUsers(new RoaringBitmap()), "new users of " + days + " parts");
            RoaringBitmap firstUsers = RoaringBitmap.bitmapOf(expected.isEmpty() ? 0 : expected.first());
            RollupTotals fromBitmaps = union.totals(firstUsers);
            RollupTotals fromUsers = GroupUsers.union(addedOneByOne).totals(firstUsers);
            for (Metric metric : Metric.values()) {
                if (metric.inRollup()) {
                    assertEquals(String.valueOf(metric.fromRollup(fromUsers)), String.valueOf(metric.fromRollup(fromBitmaps)), metric.apiName());
                }
            }
            assertEquals(expected.getLongCardinality(), fromBitmaps.viewers(), "viewers");
            for (int day = 0; day < days; day++) {
                assertEquals(before.get(day), parts.get(day).users(), "part " + day + " unchanged");
            }
            if (!expected.isEmpty()) {
                // the last in RoaringBitmap's order: a user numbered for this answer only (negative), where there is one
                int replacedUser = expected.last();
                GroupUsers first = parts.getFirst();
                GroupUsers renumbered = first.renumbered(Map.of(replacedUser, 1 << 29), RoaringBitmap.bitmapOf(replacedUser));
                RoaringBitmap expectedUsers = renumbered(before.getFirst(), replacedUser);
                assertEquals(expectedUsers, renumbered.users(), "renumbered");
                assertEquals(renumbered(first.newUsers(new RoaringBitmap()), replacedUser), renumbered.newUsers(new RoaringBitmap()), "new users renumbered");
                assertEquals(expectedUsers.getLongCardinality(), renumbered.totals(new RoaringBitmap()).viewers(), "viewers renumbered");
                assertEquals(before.getFirst(), first.users(), "the part renumbered is unchanged");
            }
        }
    }

    private static RoaringBitmap renumbered(RoaringBitmap users, int replaced) {
        RoaringBitmap copy = users.clone();
        if (copy.contains(replaced)) {
            copy.remove(replaced);
            copy.add(1 << 29);
        }
        return copy;
    }

    /** The partials of a user who viewed once (on the day they were first seen, or not). */
    private static Object[] viewed(boolean isNew) {
        Object[] partials = new Object[Partial.values().length];
        partials[Partial.VIEWS.ordinal()] = 1L;
        partials[Partial.NEW.ordinal()] = isNew ? Boolean.TRUE : null;
        return partials;
    }

    private static Object[] merge(Object[] a, Object[] b) {
        Object[] merged = new Object[a.length];
        for (int i = 0; i < a.length; i++) {
            merged[i] = Partial.merge(a[i], b[i]);
        }
        return merged;
    }
}
