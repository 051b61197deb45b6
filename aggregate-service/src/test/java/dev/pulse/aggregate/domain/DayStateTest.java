package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.DayState.Key;
import dev.pulse.aggregate.domain.DayState.Sums;
import dev.pulse.schema.DayStateDimension;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A day's state folded from random rollup rows, against sets and sums kept per value from the same rows. */
class DayStateTest {
    private static final DayStateDimension[] DIMENSIONS = {DayStateDimension.TOTAL, DayStateDimension.USER_COUNTRY, DayStateDimension.USER_AGE};

    private record Row(int user, String[] values, Sums sums) {
    }

    @Test
    void eachValueHoldsItsUsersThoseWithPositiveCountsAndItsSums() {
        Random random = new Random(33);
        String[] countries = {"DE", "FR", null};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int user = random.nextInt(60);
            Sums sums = new Sums(1 + random.nextInt(5), random.nextInt(3), random.nextInt(2), random.nextInt(2), random.nextInt(2),
                    random.nextInt(2), BigDecimal.valueOf(random.nextInt(1000), 2), random.nextInt(3), random.nextInt(3), random.nextInt(50) / 4.0,
                    random.nextInt(100), random.nextInt(3), random.nextInt(2), BigDecimal.valueOf(random.nextInt(600)), random.nextInt(2));
            rows.add(new Row(user, new String[]{null, countries[random.nextInt(3)], String.valueOf(20 + random.nextInt(4))}, sums));
        }
        DayState state = new DayState(1_000);
        rows.forEach(r -> state.add(r.user(), DIMENSIONS, r.values(), r.sums()));

        Map<Key, Set<Integer>> users = new HashMap<>();
        Map<Key, Set<Integer>> viewers = new HashMap<>();
        Map<Key, Set<Integer>> sessionUsers = new HashMap<>();
        Map<Key, long[]> counts = new HashMap<>();
        Map<Key, BigDecimal> revenue = new HashMap<>();
        for (Row r : rows) {
            for (int d = 0; d < DIMENSIONS.length; d++) {
                Key key = new Key(DIMENSIONS[d], r.values()[d]);
                users.computeIfAbsent(key, k -> new TreeSet<>()).add(r.user());
                viewers.computeIfAbsent(key, k -> new TreeSet<>());
                sessionUsers.computeIfAbsent(key, k -> new TreeSet<>());
                if (r.sums().views() > 0) {
                    viewers.get(key).add(r.user());
                }
                if (r.sums().sessions() > 0) {
                    sessionUsers.get(key).add(r.user());
                }
                long[] c = counts.computeIfAbsent(key, k -> new long[2]);
                c[0] += r.sums().events();
                c[1] += r.sums().bounces();
                revenue.merge(key, r.sums().revenue(), BigDecimal::add);
            }
        }
        assertEquals(users.keySet(), state.values().keySet());
        state.values().forEach((key, value) -> {
            assertEquals(users.get(key), set(value.users), key.toString());
            assertEquals(viewers.get(key), set(value.viewers), key.toString());
            assertEquals(sessionUsers.get(key), set(value.sessionUsers), key.toString());
            assertEquals(counts.get(key)[0], value.sums().events(), key.toString());
            assertEquals(counts.get(key)[1], value.sums().bounces(), key.toString());
            assertEquals(revenue.get(key), value.sums().revenue(), key.toString());
        });
        // the format both services read
        RoaringBitmap total = state.values().get(new Key(DayStateDimension.TOTAL, null)).users;
        assertEquals(total, DayStateDimension.users(DayStateDimension.bytes(total.clone())));
    }

    @Test
    void aDayWithMoreValuesThanItHoldsDropsTheDimensionsOfTheMost() {
        DayState state = new DayState(6);
        Sums one = new Sums(1, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0);
        DayStateDimension[] dimensions = {DayStateDimension.TOTAL, DayStateDimension.DEVICE, DayStateDimension.POST_ID, DayStateDimension.PAGE_HOST};
        for (int user = 0; user < 4; user++) {
            // the total, two devices, a post per user, one host: the third user's post makes 7 values, over 6, and the
            // posts (3 values) go, the devices (2) and the host stay
            state.add(user, dimensions, new String[]{null, "d" + user % 2, String.valueOf(user), "h0"}, one);
        }
        assertEquals(true, state.held());
        assertArrayEquals(new String[]{"post:id"}, state.unheld());
        assertEquals(Set.of(new Key(DayStateDimension.TOTAL, null), new Key(DayStateDimension.DEVICE, "d0"), new Key(DayStateDimension.DEVICE, "d1"),
                new Key(DayStateDimension.PAGE_HOST, "h0")), state.values().keySet());
        assertEquals(4, state.values().get(new Key(DayStateDimension.TOTAL, null)).sums().events());
        assertEquals(4, state.values().get(new Key(DayStateDimension.PAGE_HOST, "h0")).users.getCardinality());
        // a dropped dimension stays dropped: a later row's post is not kept, though the state has room for it
        state.add(4, dimensions, new String[]{null, "d2", "4", "h1"}, one);
        assertEquals(6, state.values().size());
        // past the limit again with devices and hosts at 3 each: of two alike the later goes (host after device in the enum)
        state.add(5, dimensions, new String[]{null, "d2", "5", "h2"}, one);
        assertArrayEquals(new String[]{"page:host", "post:id"}, Arrays.stream(state.unheld()).sorted().toArray());
        assertEquals(Set.of(DayStateDimension.TOTAL, DayStateDimension.DEVICE),
                state.values().keySet().stream().map(Key::dimension).collect(Collectors.toSet()));
        // a state built on a day whose posts were dropped does not hold them from the start
        DayState merged = new DayState(100, List.of(DayStateDimension.POST_ID));
        merged.add(new Key(DayStateDimension.POST_ID, "1"), state.values().get(new Key(DayStateDimension.TOTAL, null)));
        assertEquals(Map.of(), merged.values());
        state.addFirstUser(3);
        assertEquals(1, state.firstUsers().getCardinality(), "first users are kept: they are per day, not per value");
    }

    private static Set<Integer> set(RoaringBitmap bitmap) {
        Set<Integer> set = new TreeSet<>();
        bitmap.forEach((int i) -> set.add(i));
        return set;
    }
}
