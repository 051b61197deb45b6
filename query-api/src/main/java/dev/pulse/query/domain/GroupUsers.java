package dev.pulse.query.domain;

import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

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

    /** Users of all parts together up to which {@link #or} sorts their ordinals rather than ORing the bitmaps. */
    private static final int SMALL_UNION = 512;
    private static final Partial[] PARTIALS = Partial.values();
    /** Read-only stand-in for a kind without users: never handed to code that changes a bitmap. */
    private static final RoaringBitmap NONE = new RoaringBitmap();

    /**
     * Null where a kind has no users: a month of a breakdown by post holds 47k day parts, most of their kinds unread,
     * and seven empty bitmaps each took the young generation's room (GC was half of a cold answer, bench/RESULTS.md).
     */
    private final RoaringBitmap[] users = new RoaringBitmap[Kind.values().length];
    private RoaringBitmap newUsers;
    private final Object[] sums = new Object[PARTIALS.length];

    /** {@code more} becomes the group's where it has none of the kind yet: the caller must not change it afterwards. */
    public void or(Kind kind, RoaringBitmap more) {
        users[kind.ordinal()] = taken(users[kind.ordinal()], more);
    }

    /** Users new in the group whatever the days' first users say (their partials said so); {@code more} as in {@link #or}. */
    public void orNew(RoaringBitmap more) {
        newUsers = taken(newUsers, more);
    }

    private static RoaringBitmap taken(RoaringBitmap held, RoaringBitmap more) {
        if (held == null) {
            return more.isEmpty() ? null : more;
        }
        held.or(more);
        return held;
    }

    private RoaringBitmap of(Kind kind) {
        RoaringBitmap held = users[kind.ordinal()];
        return held == null ? NONE : held;
    }

    private RoaringBitmap addable(Kind kind) {
        if (users[kind.ordinal()] == null) {
            users[kind.ordinal()] = new RoaringBitmap();
        }
        return users[kind.ordinal()];
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
        for (Kind kind : Kind.values()) {
            union.users[kind.ordinal()] = or(parts, p -> p.users[kind.ordinal()]);
        }
        union.newUsers = or(parts, p -> p.newUsers);
        for (GroupUsers part : parts) {
            for (Partial partial : PARTIALS) {
                if (partial != Partial.NEW) {
                    union.add(partial, part.sums[partial.ordinal()]);
                }
            }
        }
        return union;
    }

    /**
     * One bitmap of each part (null where none), ORed into a new one, null when all are. RoaringBitmap's lazy OR of all
     * at once turns each container that several parts hold into an 8 KB bitmap first: for a few users (a post's viewers
     * of a day) their ordinals are sorted into one array instead, less garbage and no slower. ORing one part after
     * another, as before, copied the growing union per part: 2-8x slower than either on made-up months of 2,001 posts
     * with 1 to 60 users per post and day (bench/RESULTS.md, session 29).
     */
    private static RoaringBitmap or(List<GroupUsers> parts, Function<GroupUsers, RoaringBitmap> bitmap) {
        List<RoaringBitmap> held = new ArrayList<>(parts.size());
        long users = 0;
        for (GroupUsers part : parts) {
            RoaringBitmap ofPart = bitmap.apply(part);
            if (ofPart != null) {
                held.add(ofPart);
                users += ofPart.getLongCardinality();
            }
        }
        if (held.isEmpty()) {
            return null;
        }
        if (users > SMALL_UNION) {
            return FastAggregation.or(held.iterator());
        }
        int[] ordinals = new int[(int) users];
        int at = 0;
        for (RoaringBitmap part : held) {
            for (PeekableIntIterator each = part.getIntIterator(); each.hasNext(); ) {
                ordinals[at++] = each.next();
            }
        }
        Arrays.sort(ordinals);
        RoaringBitmap union = new RoaringBitmap();
        union.addN(ordinals, 0, ordinals.length);
        return union;
    }

    public void add(Partial partial, Object sum) {
        sums[partial.ordinal()] = Partial.merge(sums[partial.ordinal()], sum);
    }

    /** One user with their partials over some days of the group ({@code partials} indexed by Partial ordinal, null where not read). */
    public void addUser(int ordinal, Object[] partials) {
        addable(Kind.USERS).add(ordinal);
        for (Kind kind : Kind.values()) {
            if (kind.positive != null && partials[kind.positive.ordinal()] instanceof Long count && count > 0) {
                addable(kind).add(ordinal);
            }
        }
        if (Boolean.TRUE.equals(partials[Partial.NEW.ordinal()])) {
            if (newUsers == null) {
                newUsers = new RoaringBitmap();
            }
            newUsers.add(ordinal);
        }
        for (Partial partial : PARTIALS) {
            if (partial != Partial.NEW) {
                add(partial, partials[partial.ordinal()]);
            }
        }
    }

    /** Whether {@code other} holds the same users and sums (a day's part read again after a late event of other groups). */
    public boolean sameAs(GroupUsers other) {
        return other != null && Arrays.equals(users, other.users) && Objects.equals(newUsers, other.newUsers) && Arrays.equals(sums, other.sums);
    }

    /** All its users. */
    public RoaringBitmap users() {
        return of(Kind.USERS);
    }

    /**
     * Its new users: those whose first day is in {@code firstUsers} (the first days of the days it holds within its
     * bucket and the query's range) or whose partials said so.
     */
    public RoaringBitmap newUsers(RoaringBitmap firstUsers) {
        RoaringBitmap firstDays = RoaringBitmap.and(users(), firstUsers);
        return newUsers == null ? firstDays : RoaringBitmap.or(firstDays, newUsers);
    }

    /** The group's totals, its new users as {@link #newUsers} counts them. */
    public RollupTotals totals(RoaringBitmap firstUsers) {
        RoaringBitmap all = users();
        RoaringBitmap feed = RoaringBitmap.or(of(Kind.VIEWERS), of(Kind.LIKERS));
        RoaringBitmap senders = of(Kind.SENDERS);
        long both = RoaringBitmap.andCardinality(feed, senders);
        long feedUsers = feed.getLongCardinality();
        long sendersCount = senders.getLongCardinality();
        return RollupTotals.summed(sums, new long[]{all.getLongCardinality(),
                newUsers(firstUsers).getLongCardinality(), feedUsers, sendersCount,
                feedUsers - both, sendersCount - both, both, of(Kind.PAYERS).getLongCardinality(),
                of(Kind.SESSION_USERS).getLongCardinality(), of(Kind.VIEWERS).getLongCardinality(), of(Kind.LIKERS).getLongCardinality()});
    }

    /**
     * The group with each user numbered as a key of {@code numbers} numbered as its value instead ({@code replaced}:
     * those keys): this one where it holds none of them, else a copy with copies of the bitmaps that do (a cached part
     * may be this one; no bitmap is changed).
     */
    public GroupUsers renumbered(Map<Integer, Integer> numbers, RoaringBitmap replaced) {
        if (Arrays.stream(users).noneMatch(u -> u != null && RoaringBitmap.intersects(u, replaced))
                && (newUsers == null || !RoaringBitmap.intersects(newUsers, replaced))) {
            return this;
        }
        GroupUsers copy = new GroupUsers();
        for (int i = 0; i < users.length; i++) {
            copy.users[i] = users[i] == null ? null : renumbered(users[i], numbers, replaced);
        }
        copy.newUsers = newUsers == null ? null : renumbered(newUsers, numbers, replaced);
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

    /**
     * What it costs a cache counting rows of a few hundred bytes: its bitmaps (~100 bytes of objects around each), its
     * arrays and sums (~400 bytes).
     */
    public int weight() {
        long bytes = 400 + Arrays.stream(users).filter(Objects::nonNull).mapToLong(u -> u.getLongSizeInBytes() + 100).sum()
                + (newUsers == null ? 0 : newUsers.getLongSizeInBytes() + 100);
        return (int) Math.min(Integer.MAX_VALUE, bytes / 256);
    }
}
