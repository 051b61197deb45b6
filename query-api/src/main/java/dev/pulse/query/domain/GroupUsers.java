package dev.pulse.query.domain;

import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One group's users over some days as bitmaps of their ordinals (V33), and its partials summed: what the day state
 * folds into. Unlike per-user partials, the users of several days merge by OR, so a group costs its bitmaps, not a
 * row per user.
 */
public final class GroupUsers {
    /** The users of a group, and those of them whose partial is positive: the counts RollupTotals keeps. */
    public enum Kind {
        USERS("users", null),
        VIEWERS("viewers", Partial.VIEWS),
        LIKERS("likers", Partial.LIKES),
        SENDERS("senders", Partial.MESSAGES),
        PAYERS("payers", Partial.PURCHASES),
        SESSION_USERS("session_users", Partial.SESSIONS);

        private final String column;
        private final Partial positive;

        Kind(String column, Partial positive) {
            this.column = column;
            this.positive = positive;
        }

        /** Its bitmap's column in day_values. */
        public String column() {
            return column;
        }

        /** The partial whose positive value puts a user in this kind; null for USERS, all of them. */
        public Partial positive() {
            return positive;
        }

        /** Whether a query of these partials needs this kind: users always, the others where their partial is read. */
        public boolean neededFor(java.util.List<Partial> partials) {
            return positive == null || partials.contains(positive);
        }
    }

    private final RoaringBitmap[] users = new RoaringBitmap[Kind.values().length];
    private final RoaringBitmap newUsers;
    private final Object[] sums;

    public GroupUsers() {
        for (int i = 0; i < users.length; i++) {
            users[i] = new RoaringBitmap();
        }
        newUsers = new RoaringBitmap();
        sums = new Object[Partial.values().length];
    }

    public void or(Kind kind, RoaringBitmap more) {
        users[kind.ordinal()].or(more);
    }

    /** Users new in the group whatever the days' first users say (their partials said so). */
    public void orNew(RoaringBitmap more) {
        newUsers.or(more);
    }

    /**
     * The parts of one group over other days merged (users ORed, sums added) into a new one, the parts unchanged; all
     * days at once: ORing a bitmap into another per day converted containers anew each time (JFR, bench/RESULTS.md).
     */
    public static GroupUsers union(List<GroupUsers> parts) {
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        GroupUsers union = new GroupUsers();
        for (int i = 0; i < union.users.length; i++) {
            int kind = i;
            union.users[i] = FastAggregation.or(parts.stream().map(p -> p.users[kind]).iterator());
        }
        union.newUsers.or(FastAggregation.or(parts.stream().map(p -> p.newUsers).iterator()));
        for (GroupUsers part : parts) {
            for (Partial partial : Partial.values()) {
                if (partial != Partial.NEW) {
                    union.add(partial, part.sums[partial.ordinal()]);
                }
            }
        }
        return union;
    }

    public void add(Partial partial, Object sum) {
        sums[partial.ordinal()] = Partial.merge(sums[partial.ordinal()], sum);
    }

    /** One user with their partials over some days of the group ({@code partials} indexed by Partial ordinal, null where not read). */
    public void addUser(int ordinal, Object[] partials) {
        users[Kind.USERS.ordinal()].add(ordinal);
        for (Kind kind : Kind.values()) {
            if (kind.positive != null && partials[kind.positive.ordinal()] instanceof Long count && count > 0) {
                users[kind.ordinal()].add(ordinal);
            }
        }
        if (Boolean.TRUE.equals(partials[Partial.NEW.ordinal()])) {
            newUsers.add(ordinal);
        }
        for (Partial partial : Partial.values()) {
            if (partial != Partial.NEW) {
                add(partial, partials[partial.ordinal()]);
            }
        }
    }

    /** All its users. */
    public RoaringBitmap users() {
        return users[Kind.USERS.ordinal()];
    }

    /**
     * Its new users: those whose first day is in {@code firstUsers} (the first days of the days it holds within its
     * bucket and the query's range) or whose partials said so.
     */
    public RoaringBitmap newUsers(RoaringBitmap firstUsers) {
        return RoaringBitmap.or(RoaringBitmap.and(users(), firstUsers), newUsers);
    }

    /** The group's totals, its new users as {@link #newUsers} counts them. */
    public RollupTotals totals(RoaringBitmap firstUsers) {
        RoaringBitmap all = users();
        RoaringBitmap feed = RoaringBitmap.or(users[Kind.VIEWERS.ordinal()], users[Kind.LIKERS.ordinal()]);
        RoaringBitmap senders = users[Kind.SENDERS.ordinal()];
        long both = RoaringBitmap.andCardinality(feed, senders);
        long feedUsers = feed.getLongCardinality();
        long sendersCount = senders.getLongCardinality();
        return RollupTotals.summed(sums, new long[]{all.getLongCardinality(),
                newUsers(firstUsers).getLongCardinality(), feedUsers, sendersCount,
                feedUsers - both, sendersCount - both, both, users[Kind.PAYERS.ordinal()].getLongCardinality(),
                users[Kind.SESSION_USERS.ordinal()].getLongCardinality(), users[Kind.VIEWERS.ordinal()].getLongCardinality(),
                users[Kind.LIKERS.ordinal()].getLongCardinality()});
    }

    /**
     * The group with each user numbered as a key of {@code numbers} numbered as its value instead ({@code replaced}:
     * those keys): this one where it holds none of them, else a copy with copies of the bitmaps that do (a cached part
     * may be this one; no bitmap is changed).
     */
    public GroupUsers renumbered(Map<Integer, Integer> numbers, RoaringBitmap replaced) {
        if (Arrays.stream(users).noneMatch(u -> RoaringBitmap.intersects(u, replaced)) && !RoaringBitmap.intersects(newUsers, replaced)) {
            return this;
        }
        GroupUsers copy = new GroupUsers();
        for (int i = 0; i < users.length; i++) {
            copy.users[i] = renumbered(users[i], numbers, replaced);
        }
        copy.newUsers.or(renumbered(newUsers, numbers, replaced));
        System.arraycopy(sums, 0, copy.sums, 0, sums.length);
        return copy;
    }

    /** {@code users}, or where it holds keys of {@code numbers} ({@code replaced}), a copy with their values instead. */
    public static RoaringBitmap renumbered(RoaringBitmap users, Map<Integer, Integer> numbers, RoaringBitmap replaced) {
        RoaringBitmap held = RoaringBitmap.and(users, replaced);
        if (held.isEmpty()) {
            return users;
        }
        RoaringBitmap copy = RoaringBitmap.andNot(users, replaced);
        held.forEach((int from) -> copy.add(numbers.get(from).intValue()));
        return copy;
    }

    /** What it costs a cache counting rows of a few hundred bytes: its bitmaps, and the objects around them (~1 KB). */
    public int weight() {
        long bytes = Arrays.stream(users).mapToLong(RoaringBitmap::getLongSizeInBytes).sum() + newUsers.getLongSizeInBytes() + 1024;
        return (int) Math.min(Integer.MAX_VALUE, bytes / 256);
    }
}
