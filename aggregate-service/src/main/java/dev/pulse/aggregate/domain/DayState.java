package dev.pulse.aggregate.domain;

import dev.pulse.schema.DayStateDimension;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One closed app-day's state (V33 day_values): per dimension and value, the ordinals of its users (and of those who
 * viewed, liked, sent a message, paid, had a session) and its sums, folded from the day's rollup rows. It holds at
 * most so many values: past that, the dimension of the most values is dropped whole (a day of 300,000 posts keeps
 * its countries), and query-api reads a dropped dimension of the day from the rollups per user.
 */
public final class DayState {
    /** A rollup row's sums (sessions are 0 on fact_user_event_daily, which does not keep them). */
    public record Sums(long events, long views, long likes, long messages, long signups, long purchases, BigDecimal revenue,
                       long pageViews, long plays, double engagementSeconds, double pctSum, long pctCount, long sessions,
                       BigDecimal sessionSeconds, long bounces) {
        public static final Sums ZERO = new Sums(0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0);

        public Sums plus(Sums o) {
            return new Sums(events + o.events, views + o.views, likes + o.likes, messages + o.messages, signups + o.signups,
                    purchases + o.purchases, revenue.add(o.revenue), pageViews + o.pageViews, plays + o.plays,
                    engagementSeconds + o.engagementSeconds, pctSum + o.pctSum, pctCount + o.pctCount, sessions + o.sessions,
                    sessionSeconds.add(o.sessionSeconds), bounces + o.bounces);
        }

        public Sums minus(Sums o) {
            return new Sums(events - o.events, views - o.views, likes - o.likes, messages - o.messages, signups - o.signups,
                    purchases - o.purchases, revenue.subtract(o.revenue), pageViews - o.pageViews, plays - o.plays,
                    engagementSeconds - o.engagementSeconds, pctSum - o.pctSum, pctCount - o.pctCount, sessions - o.sessions,
                    sessionSeconds.subtract(o.sessionSeconds), bounces - o.bounces);
        }
    }

    public record Key(DayStateDimension dimension, String value) {
    }

    /** A value's users and sums. */
    public static final class Value {
        public final RoaringBitmap users;
        public final RoaringBitmap viewers;
        public final RoaringBitmap likers;
        public final RoaringBitmap senders;
        public final RoaringBitmap payers;
        public final RoaringBitmap sessionUsers;
        private Sums sums;

        public Value() {
            this(new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(), new RoaringBitmap(),
                    Sums.ZERO);
        }

        public Value(RoaringBitmap users, RoaringBitmap viewers, RoaringBitmap likers, RoaringBitmap senders, RoaringBitmap payers,
                RoaringBitmap sessionUsers, Sums sums) {
            this.users = users;
            this.viewers = viewers;
            this.likers = likers;
            this.senders = senders;
            this.payers = payers;
            this.sessionUsers = sessionUsers;
            this.sums = sums;
        }

        public Sums sums() {
            return sums;
        }

        private RoaringBitmap[] sets() {
            return new RoaringBitmap[]{users, viewers, likers, senders, payers, sessionUsers};
        }

        private void add(int ordinal, Sums row) {
            users.add(ordinal);
            addIf(viewers, row.views(), ordinal);
            addIf(likers, row.likes(), ordinal);
            addIf(senders, row.messages(), ordinal);
            addIf(payers, row.purchases(), ordinal);
            addIf(sessionUsers, row.sessions(), ordinal);
            sums = sums.plus(row);
        }

        private static void addIf(RoaringBitmap users, long count, int ordinal) {
            if (count > 0) {
                users.add(ordinal);
            }
        }

        /** Both values' users together and their sums added: one day's state from two parts of its rows. */
        Value plus(Value o) {
            RoaringBitmap[] mine = sets();
            RoaringBitmap[] theirs = o.sets();
            RoaringBitmap[] sets = new RoaringBitmap[mine.length];
            for (int i = 0; i < mine.length; i++) {
                sets[i] = RoaringBitmap.or(mine[i], theirs[i]);
            }
            return new Value(sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sums.plus(o.sums));
        }

        /**
         * This value once the users {@code changed} hold what {@code after} has of them instead of {@code before}
         * (each holds those users' rows only): their bits are taken from {@code after}, the sums move by the difference.
         */
        Value changed(RoaringBitmap changed, Value before, Value after) {
            RoaringBitmap[] mine = sets();
            RoaringBitmap[] theirs = after.sets();
            RoaringBitmap[] sets = new RoaringBitmap[mine.length];
            for (int i = 0; i < mine.length; i++) {
                sets[i] = RoaringBitmap.or(RoaringBitmap.andNot(mine[i], changed), theirs[i]);
            }
            return new Value(sets[0], sets[1], sets[2], sets[3], sets[4], sets[5], sums.plus(after.sums).minus(before.sums));
        }
    }

    private final Map<Key, Value> values = new LinkedHashMap<>();
    private final RoaringBitmap firstUsers = new RoaringBitmap();
    private final int maxValues;
    private final Set<DayStateDimension> dropped = EnumSet.noneOf(DayStateDimension.class);

    /** A state holding at most {@code maxValues} values. */
    public DayState(int maxValues) {
        this(maxValues, Set.of());
    }

    /** ... which does not hold {@code dropped}: a day's dimension once dropped stays so until the day is built again. */
    public DayState(int maxValues, Collection<DayStateDimension> dropped) {
        this.maxValues = maxValues;
        this.dropped.addAll(dropped);
    }

    /** A rollup row of user {@code ordinal}: {@code values[i]} is its value of {@code dimensions[i]}. */
    public void add(int ordinal, DayStateDimension[] dimensions, String[] values, Sums sums) {
        for (int i = 0; i < dimensions.length; i++) {
            if (!dropped.contains(dimensions[i])) {
                this.values.computeIfAbsent(new Key(dimensions[i], values[i]), k -> new Value()).add(ordinal, sums);
            }
        }
        fit();
    }

    /** A part of the value {@code key} (its users and sums over some of the day's rows), added to what it holds. */
    public void add(Key key, Value part) {
        if (!dropped.contains(key.dimension())) {
            values.merge(key, part, Value::plus);
            fit();
        }
    }

    /** While it holds more values than it may, drops the dimension of the most (of two alike, the later). */
    private void fit() {
        while (values.size() > maxValues) {
            Map<DayStateDimension, Integer> counts = new EnumMap<>(DayStateDimension.class);
            values.keySet().forEach(k -> counts.merge(k.dimension(), 1, Integer::sum));
            DayStateDimension most = counts.entrySet().stream()
                    .max(Map.Entry.<DayStateDimension, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                    .orElseThrow().getKey();
            dropped.add(most);
            values.keySet().removeIf(k -> k.dimension() == most);
        }
    }

    /** Whether it holds the day's total: false only when it may hold no value at all. */
    public boolean held() {
        return !dropped.contains(DayStateDimension.TOTAL);
    }

    /** {@code values} but those of {@code dimensions}. */
    public static Map<Key, Value> without(Map<Key, Value> values, Set<DayStateDimension> dimensions) {
        Map<Key, Value> kept = new LinkedHashMap<>(values);
        kept.keySet().removeIf(key -> dimensions.contains(key.dimension()));
        return kept;
    }

    /** The dimensions it does not hold, by API name (day_state.unheld, open_day_state.unheld). */
    public String[] unheld() {
        return dropped.stream().map(DayStateDimension::apiName).toArray(String[]::new);
    }

    /** A user whose first day this is. */
    public void addFirstUser(int ordinal) {
        firstUsers.add(ordinal);
    }

    public Map<Key, Value> values() {
        return values;
    }

    public RoaringBitmap firstUsers() {
        return firstUsers;
    }
}
