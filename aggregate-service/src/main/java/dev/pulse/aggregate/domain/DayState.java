package dev.pulse.aggregate.domain;

import dev.pulse.schema.DayStateDimension;
import org.roaringbitmap.RoaringBitmap;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One closed app-day's state (V33 day_values): per dimension and value, the ordinals of its users (and of those who
 * viewed, liked, sent a message, paid, had a session) and its sums, folded from the day's rollup rows.
 */
public final class DayState {
    /** A rollup row's sums (sessions are 0 on fact_user_event_daily, which does not keep them). */
    public record Sums(long events, long views, long likes, long messages, long signups, long purchases, BigDecimal revenue,
                       long pageViews, long plays, double engagementSeconds, double pctSum, long pctCount, long sessions,
                       BigDecimal sessionSeconds, long bounces) {
    }

    public record Key(DayStateDimension dimension, String value) {
    }

    /** A value's users and sums. */
    public static final class Value {
        public final RoaringBitmap users = new RoaringBitmap();
        public final RoaringBitmap viewers = new RoaringBitmap();
        public final RoaringBitmap likers = new RoaringBitmap();
        public final RoaringBitmap senders = new RoaringBitmap();
        public final RoaringBitmap payers = new RoaringBitmap();
        public final RoaringBitmap sessionUsers = new RoaringBitmap();
        private Sums sums = new Sums(0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO, 0);

        public Sums sums() {
            return sums;
        }

        private void add(int ordinal, Sums row) {
            users.add(ordinal);
            addIf(viewers, row.views(), ordinal);
            addIf(likers, row.likes(), ordinal);
            addIf(senders, row.messages(), ordinal);
            addIf(payers, row.purchases(), ordinal);
            addIf(sessionUsers, row.sessions(), ordinal);
            Sums s = sums;
            sums = new Sums(s.events() + row.events(), s.views() + row.views(), s.likes() + row.likes(), s.messages() + row.messages(),
                    s.signups() + row.signups(), s.purchases() + row.purchases(), s.revenue().add(row.revenue()), s.pageViews() + row.pageViews(),
                    s.plays() + row.plays(), s.engagementSeconds() + row.engagementSeconds(), s.pctSum() + row.pctSum(),
                    s.pctCount() + row.pctCount(), s.sessions() + row.sessions(), s.sessionSeconds().add(row.sessionSeconds()),
                    s.bounces() + row.bounces());
        }

        private static void addIf(RoaringBitmap users, long count, int ordinal) {
            if (count > 0) {
                users.add(ordinal);
            }
        }
    }

    private final Map<Key, Value> values = new LinkedHashMap<>();
    private final RoaringBitmap firstUsers = new RoaringBitmap();
    private final int maxValues;
    private boolean held = true;

    /** A state holding at most {@code maxValues} values: a day with more is not held (its values are dropped). */
    public DayState(int maxValues) {
        this.maxValues = maxValues;
    }

    /** A rollup row of user {@code ordinal}: {@code values[i]} is its value of {@code dimensions[i]}. */
    public void add(int ordinal, DayStateDimension[] dimensions, String[] values, Sums sums) {
        if (!held) {
            return;
        }
        for (int i = 0; i < dimensions.length; i++) {
            this.values.computeIfAbsent(new Key(dimensions[i], values[i]), k -> new Value()).add(ordinal, sums);
        }
        if (this.values.size() > maxValues) {
            held = false;
            this.values.clear();
        }
    }

    /** Whether its values are kept: false once there were more than it holds. */
    public boolean held() {
        return held;
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
