package dev.pulse.query.domain;

import org.roaringbitmap.FastAggregation;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One group's users over some days as their ordinals (V33), in bitmaps or, for a few, an array, and its partials
 * summed: what the day state folds into. Unlike per-user partials, the users of several days merge by OR, so a group
 * costs its bitmaps, not a row per user.
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
    /**
     * Users up to which a kind is held as their ordinals in an int[] rather than a RoaringBitmap: one object in place of
     * six, and fewer bytes below about 60 users (a post's viewers of a day, mostly).
     */
    private static final int FEW = 64;
    private static final Partial[] PARTIALS = Partial.values();
    /** Read-only stand-in for a kind without users: never handed to code that changes a bitmap. */
    private static final RoaringBitmap NONE = new RoaringBitmap();

    /**
     * Per kind null (no users), an int[] of at most {@link #FEW} distinct ordinals in RoaringBitmap's (unsigned) order,
     * or a RoaringBitmap. A month of a breakdown by post is 47-58k day parts that a cache keeps: the young collections
     * copied each bitmap's six objects, most of them holding a few users (GC was a third of a cold answer at 10M,
     * bench/RESULTS.md), and an empty bitmap per unread kind before that.
     */
    private final Object[] users = new Object[Kind.values().length];
    private Object newUsers;
    private final Object[] sums = new Object[PARTIALS.length];

    /** {@code more} becomes the group's where it has none of the kind yet: the caller must not change it afterwards. */
    public void or(Kind kind, RoaringBitmap more) {
        users[kind.ordinal()] = taken(users[kind.ordinal()], more);
    }

    /** Users new in the group whatever the days' first users say (their partials said so); {@code more} as in {@link #or}. */
    public void orNew(RoaringBitmap more) {
        newUsers = taken(newUsers, more);
    }

    private static Object taken(Object held, RoaringBitmap more) {
        if (held == null) {
            return compact(more);
        }
        RoaringBitmap union = bitmap(held);
        union.or(more);
        return compact(union);
    }

    /** {@code users} as the group holds them: null when empty, their ordinals when few, else the bitmap itself. */
    private static Object compact(RoaringBitmap users) {
        if (users.isEmpty()) {
            return null;
        }
        return users.getCardinality() <= FEW ? users.toArray() : users;
    }

    /** Users as a bitmap: the one held, a new one of the ordinals held, or the read-only empty one. */
    private static RoaringBitmap bitmap(Object held) {
        return switch (held) {
            case null -> NONE;
            case int[] ordinals -> RoaringBitmap.bitmapOf(ordinals);
            case RoaringBitmap bitmap -> bitmap;
            default -> throw unknown();
        };
    }

    /** Users as a bitmap the caller may change: the one held, or a new one. */
    private static RoaringBitmap addable(Object held) {
        return held == null ? new RoaringBitmap() : bitmap(held);
    }

    private static long cardinality(Object held) {
        return switch (held) {
            case null -> 0;
            case int[] ordinals -> ordinals.length;
            case RoaringBitmap bitmap -> bitmap.getLongCardinality();
            default -> throw unknown();
        };
    }

    private static boolean intersects(Object held, RoaringBitmap other) {
        if (held instanceof int[] ordinals) {
            return Arrays.stream(ordinals).anyMatch(other::contains);
        }
        return held != null && RoaringBitmap.intersects(bitmap(held), other);
    }

    private static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof int[] x && b instanceof int[] y) {
            return Arrays.equals(x, y);
        }
        return cardinality(a) == cardinality(b) && bitmap(a).equals(bitmap(b));
    }

    private static IllegalStateException unknown() {
        return new IllegalStateException("users held as neither ordinals nor a bitmap");
    }

    private RoaringBitmap of(Kind kind) {
        return bitmap(users[kind.ordinal()]);
    }

    private RoaringBitmap addable(Kind kind) {
        RoaringBitmap held = addable(users[kind.ordinal()]);
        users[kind.ordinal()] = held;
        return held;
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
     * One kind's users of each part (none, ordinals or a bitmap), ORed into a new bitmap, null when no part has any.
     * RoaringBitmap's lazy OR of all at once turns each container that several parts hold into an 8 KB bitmap first:
     * for a few users (a post's viewers of a day) their ordinals are sorted into one array instead, less garbage and no
     * slower. ORing one part after another, as before, copied the growing union per part: 2-8x slower than either on
     * made-up months of 2,001 posts with 1 to 60 users per post and day (bench/RESULTS.md, session 29).
     */
    private static RoaringBitmap or(List<GroupUsers> parts, Function<GroupUsers, Object> users) {
        List<RoaringBitmap> bitmaps = new ArrayList<>();
        List<int[]> few = new ArrayList<>();
        long count = 0;
        int fewCount = 0;
        for (GroupUsers part : parts) {
            switch (users.apply(part)) {
                case null -> {
                }
                case int[] ordinals -> {
                    few.add(ordinals);
                    fewCount += ordinals.length;
                }
                case RoaringBitmap bitmap -> {
                    bitmaps.add(bitmap);
                    count += bitmap.getLongCardinality();
                }
                default -> throw unknown();
            }
        }
        if (bitmaps.isEmpty() && few.isEmpty()) {
            return null;
        }
        if (count + fewCount > SMALL_UNION) {
            if (!few.isEmpty()) {
                // the parts of few users as one bitmap, their ordinals sorted, rather than a bitmap per part
                bitmaps.add(sorted(few, List.of(), fewCount));
            }
            return FastAggregation.or(bitmaps.iterator());
        }
        return sorted(few, bitmaps, (int) count + fewCount);
    }

    /** The users of {@code few} and {@code bitmaps} ({@code count} of them, repeats counted) in one new bitmap. */
    private static RoaringBitmap sorted(List<int[]> few, List<RoaringBitmap> bitmaps, int count) {
        int[] ordinals = new int[count];
        int at = 0;
        for (int[] part : few) {
            System.arraycopy(part, 0, ordinals, at, part.length);
            at += part.length;
        }
        for (RoaringBitmap part : bitmaps) {
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
            RoaringBitmap added = addable(newUsers);
            added.add(ordinal);
            newUsers = added;
        }
        for (Partial partial : PARTIALS) {
            if (partial != Partial.NEW) {
                add(partial, partials[partial.ordinal()]);
            }
        }
    }

    /** Whether {@code other} holds the same users and sums (a day's part read again after a late event of other groups). */
    public boolean sameAs(GroupUsers other) {
        if (other == null || !same(newUsers, other.newUsers) || !Arrays.equals(sums, other.sums)) {
            return false;
        }
        for (int i = 0; i < users.length; i++) {
            if (!same(users[i], other.users[i])) {
                return false;
            }
        }
        return true;
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
        return newUsers(users(), firstUsers);
    }

    private RoaringBitmap newUsers(RoaringBitmap all, RoaringBitmap firstUsers) {
        RoaringBitmap firstDays = RoaringBitmap.and(all, firstUsers);
        return newUsers == null ? firstDays : RoaringBitmap.or(firstDays, bitmap(newUsers));
    }

    /** The group's totals, its new users as {@link #newUsers} counts them. */
    public RollupTotals totals(RoaringBitmap firstUsers) {
        RoaringBitmap all = users();
        RoaringBitmap feed = RoaringBitmap.or(of(Kind.VIEWERS), of(Kind.LIKERS));
        RoaringBitmap senders = of(Kind.SENDERS);
        long both = RoaringBitmap.andCardinality(feed, senders);
        long feedUsers = feed.getLongCardinality();
        long sendersCount = senders.getLongCardinality();
        return RollupTotals.summed(sums, new long[]{all.getLongCardinality(), newUsers(all, firstUsers).getLongCardinality(), feedUsers, sendersCount,
                feedUsers - both, sendersCount - both, both, count(Kind.PAYERS), count(Kind.SESSION_USERS), count(Kind.VIEWERS),
                count(Kind.LIKERS)});
    }

    private long count(Kind kind) {
        return cardinality(users[kind.ordinal()]);
    }

    /**
     * The group with each user numbered as a key of {@code numbers} numbered as its value instead ({@code replaced}:
     * those keys): this one where it holds none of them, else a copy with copies of the bitmaps that do (a cached part
     * may be this one; no bitmap is changed).
     */
    public GroupUsers renumbered(Map<Integer, Integer> numbers, RoaringBitmap replaced) {
        if (Arrays.stream(users).noneMatch(u -> intersects(u, replaced)) && !intersects(newUsers, replaced)) {
            return this;
        }
        GroupUsers copy = new GroupUsers();
        for (int i = 0; i < users.length; i++) {
            copy.users[i] = users[i] == null ? null : compact(renumbered(bitmap(users[i]), numbers, replaced));
        }
        copy.newUsers = newUsers == null ? null : compact(renumbered(bitmap(newUsers), numbers, replaced));
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
     * What it costs a cache counting rows of a few hundred bytes: its bitmaps (~100 bytes of objects around each) or
     * ordinals, its arrays and sums (~400 bytes).
     */
    public int weight() {
        long bytes = 400 + Arrays.stream(users).mapToLong(GroupUsers::bytes).sum() + bytes(newUsers);
        return (int) Math.min(Integer.MAX_VALUE, bytes / 256);
    }

    private static long bytes(Object held) {
        return switch (held) {
            case null -> 0;
            case int[] ordinals -> 16 + 4L * ordinals.length;
            case RoaringBitmap bitmap -> bitmap.getLongSizeInBytes() + 100;
            default -> throw unknown();
        };
    }
}
