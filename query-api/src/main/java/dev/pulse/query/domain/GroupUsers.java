package dev.pulse.query.domain;

import org.roaringbitmap.RoaringBitmap;

import java.util.Arrays;

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

    private GroupUsers(GroupUsers other) {
        for (int i = 0; i < users.length; i++) {
            users[i] = other.users[i].clone();
        }
        newUsers = other.newUsers.clone();
        sums = other.sums.clone();
    }

    /** A copy to add to, the original (a cached value) unchanged. */
    public GroupUsers copy() {
        return new GroupUsers(this);
    }

    public void or(Kind kind, RoaringBitmap more) {
        users[kind.ordinal()].or(more);
    }

    /** Adds another part of the same group over other days: users ORed, sums added. */
    public void or(GroupUsers other) {
        for (int i = 0; i < users.length; i++) {
            users[i].or(other.users[i]);
        }
        newUsers.or(other.newUsers);
        for (Partial partial : Partial.values()) {
            if (partial != Partial.NEW) {
                add(partial, other.sums[partial.ordinal()]);
            }
        }
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

    /**
     * The group's totals; its new users are those whose first day is in {@code firstUsers} (the first days of the
     * days it holds within its bucket and the query's range) or whose partials said so.
     */
    public RollupTotals totals(RoaringBitmap firstUsers) {
        RoaringBitmap all = users[Kind.USERS.ordinal()];
        RoaringBitmap feed = RoaringBitmap.or(users[Kind.VIEWERS.ordinal()], users[Kind.LIKERS.ordinal()]);
        RoaringBitmap senders = users[Kind.SENDERS.ordinal()];
        long both = RoaringBitmap.andCardinality(feed, senders);
        long feedUsers = feed.getLongCardinality();
        long sendersCount = senders.getLongCardinality();
        return RollupTotals.summed(sums, new long[]{all.getLongCardinality(),
                RoaringBitmap.or(RoaringBitmap.and(all, firstUsers), newUsers).getLongCardinality(), feedUsers, sendersCount,
                feedUsers - both, sendersCount - both, both, users[Kind.PAYERS.ordinal()].getLongCardinality(),
                users[Kind.SESSION_USERS.ordinal()].getLongCardinality(), users[Kind.VIEWERS.ordinal()].getLongCardinality(),
                users[Kind.LIKERS.ordinal()].getLongCardinality()});
    }

    /** What it costs a cache counting rows of a few hundred bytes: its bitmaps, and the objects around them (~1 KB). */
    public int weight() {
        long bytes = Arrays.stream(users).mapToLong(RoaringBitmap::getLongSizeInBytes).sum() + newUsers.getLongSizeInBytes() + 1024;
        return (int) Math.min(Integer.MAX_VALUE, bytes / 256);
    }
}
