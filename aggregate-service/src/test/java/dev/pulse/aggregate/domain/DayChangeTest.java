package dev.pulse.aggregate.domain;

import dev.pulse.aggregate.domain.DayState.Key;
import dev.pulse.aggregate.domain.DayState.Sums;
import dev.pulse.aggregate.domain.DayState.Value;
import dev.pulse.schema.DayStateDimension;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A day's state changed by late users' rows, against the state folded again from every user's rows after the change:
 * rows added, rows whose values moved (a user's country changed), sessions merged (negative deltas), first days
 * gained and lost.
 */
class DayChangeTest {
    private static final DayStateDimension[] DIMENSIONS = {DayStateDimension.TOTAL, DayStateDimension.USER_COUNTRY, DayStateDimension.DEVICE};
    private static final String[] COUNTRIES = {"DE", "FR", "US", null};
    private static final String[] DEVICES = {"ios", "web"};

    private record Row(int user, String[] values, Sums sums) {
    }

    @RepeatedTest(20)
    void theChangedStateIsTheStateFoldedAgainAfterTheChange(RepetitionInfo repetition) {
        Random random = new Random(repetition.getCurrentRepetition());
        int users = 40;
        Map<Integer, List<Row>> before = new HashMap<>();
        for (int i = 0; i < 150; i++) {
            int user = random.nextInt(users);
            before.computeIfAbsent(user, u -> new ArrayList<>()).add(row(random, user));
        }
        RoaringBitmap firstBefore = new RoaringBitmap();
        before.keySet().stream().filter(u -> random.nextInt(3) == 0).forEach(firstBefore::add);

        // the late users: some new to the day, some with rows that gain, move to other values or lose sessions
        RoaringBitmap late = new RoaringBitmap();
        Map<Integer, List<Row>> after = new HashMap<>(before);
        for (int n = 0; n < 8; n++) {
            int user = random.nextInt(users + 10);
            late.add(user);
            List<Row> rows = new ArrayList<>();
            for (Row r : before.getOrDefault(user, List.of())) {
                rows.add(switch (random.nextInt(3)) {
                    case 0 -> r;
                    case 1 -> new Row(user, values(random), r.sums());
                    default -> new Row(user, r.values(), r.sums().plus(delta(random, r.sums())));
                });
            }
            rows.add(row(random, user));
            after.put(user, rows);
        }
        RoaringBitmap firstAfter = firstBefore.clone();
        RoaringBitmap lateFirst = new RoaringBitmap();
        late.forEach((int u) -> {
            firstAfter.remove(u);
            if (random.nextBoolean()) {
                firstAfter.add(u);
                lateFirst.add(u);
            }
        });

        DayState stored = fold(before, null);
        DayChange change = new DayChange(fold(before, late), fold(after, late), late, lateFirst);
        Map<Key, Value> touched = new HashMap<>();
        change.keys().forEach(k -> {
            if (stored.values().containsKey(k)) {
                touched.put(k, stored.values().get(k));
            }
        });
        Map<Key, Value> changed = change.apply(touched);

        Map<Key, Value> result = new HashMap<>(stored.values());
        changed.forEach((k, v) -> {
            if (v == null) {
                result.remove(k);
            } else {
                result.put(k, v);
            }
        });
        Map<Key, Value> expected = fold(after, null).values();
        assertEquals(expected.keySet(), result.keySet(), "a value without users is dropped, a new one added");
        expected.forEach((k, v) -> {
            Value r = result.get(k);
            assertEquals(v.users, r.users, k + " users");
            assertEquals(v.viewers, r.viewers, k + " viewers");
            assertEquals(v.likers, r.likers, k + " likers");
            assertEquals(v.senders, r.senders, k + " senders");
            assertEquals(v.payers, r.payers, k + " payers");
            assertEquals(v.sessionUsers, r.sessionUsers, k + " session users");
            assertEquals(v.sums(), r.sums(), k + " sums");
        });
        assertEquals(firstAfter, change.firstUsers(firstBefore));
    }

    /** The rows of {@code users} (all when null) folded as a day's state. */
    private static DayState fold(Map<Integer, List<Row>> rows, RoaringBitmap users) {
        DayState state = new DayState(Integer.MAX_VALUE);
        rows.forEach((user, list) -> {
            if (users == null || users.contains(user)) {
                list.forEach(r -> state.add(user, DIMENSIONS, r.values(), r.sums()));
            }
        });
        return state;
    }

    private static Row row(Random random, int user) {
        return new Row(user, values(random), new Sums(1 + random.nextInt(5), random.nextInt(3), random.nextInt(2), random.nextInt(2),
                random.nextInt(2), random.nextInt(2), BigDecimal.valueOf(random.nextInt(1000), 2), random.nextInt(3), random.nextInt(3),
                random.nextInt(50) / 4.0, random.nextInt(100), random.nextInt(3), 1 + random.nextInt(3),
                BigDecimal.valueOf(random.nextInt(600)), random.nextInt(2)));
    }

    /** What a late event adds to a row; its sessions may merge (fewer, and fewer bounces). */
    private static Sums delta(Random random, Sums row) {
        return new Sums(1, random.nextInt(2), random.nextInt(2), 0, 0, random.nextInt(2), BigDecimal.valueOf(random.nextInt(500), 2), 0, 0,
                random.nextInt(8) / 4.0, 0, 0, row.sessions() > 1 && random.nextBoolean() ? -1 : 0, BigDecimal.valueOf(random.nextInt(60)),
                row.bounces() > 0 && random.nextBoolean() ? -1 : 0);
    }

    private static String[] values(Random random) {
        return new String[]{null, COUNTRIES[random.nextInt(COUNTRIES.length)], DEVICES[random.nextInt(DEVICES.length)]};
    }
}
