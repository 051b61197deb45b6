package dev.pulse.query.domain;

import java.math.BigDecimal;

/** One group's users and their partials summed: what every rollup metric of the group is computed from. */
public final class RollupTotals {
    private final Object[] sums = new Object[Partial.values().length];
    private long users;
    private long newUsers;
    private long feedUsers;
    private long viewers;
    private long likers;
    private long senders;
    private long feedOnlyUsers;
    private long messengerOnlyUsers;
    private long bothUsers;
    private long payingUsers;
    private long sessionUsers;

    /**
     * A group's totals as PostgreSQL summed its users (QueryCompiler#groupTotals): the sums (indexed by
     * {@link Partial#ordinal()}), then users, new users, feed users, senders, feed-only, messenger-only, both, paying
     * users, users with sessions, viewers and likers.
     */
    public static RollupTotals summed(Object[] sums, long[] users) {
        RollupTotals totals = new RollupTotals();
        System.arraycopy(sums, 0, totals.sums, 0, totals.sums.length);
        totals.users = users[0];
        totals.newUsers = users[1];
        totals.feedUsers = users[2];
        totals.senders = users[3];
        totals.feedOnlyUsers = users[4];
        totals.messengerOnlyUsers = users[5];
        totals.bothUsers = users[6];
        totals.payingUsers = users[7];
        totals.sessionUsers = users[8];
        totals.viewers = users[9];
        totals.likers = users[10];
        return totals;
    }

    /** Adds one user of the group, with the user's partials (indexed by {@link Partial#ordinal()}, null where not fetched). */
    public void add(Object[] user) {
        users++;
        for (int i = 0; i < sums.length; i++) {
            sums[i] = Partial.merge(sums[i], user[i]);
        }
        boolean feed = positive(user[Partial.VIEWS.ordinal()]) || positive(user[Partial.LIKES.ordinal()]);
        boolean messenger = positive(user[Partial.MESSAGES.ordinal()]);
        newUsers += Boolean.TRUE.equals(user[Partial.NEW.ordinal()]) ? 1 : 0;
        feedUsers += feed ? 1 : 0;
        senders += messenger ? 1 : 0;
        feedOnlyUsers += feed && !messenger ? 1 : 0;
        messengerOnlyUsers += messenger && !feed ? 1 : 0;
        bothUsers += feed && messenger ? 1 : 0;
        payingUsers += positive(user[Partial.PURCHASES.ordinal()]) ? 1 : 0;
        sessionUsers += positive(user[Partial.SESSIONS.ordinal()]) ? 1 : 0;
        viewers += positive(user[Partial.VIEWS.ordinal()]) ? 1 : 0;
        likers += positive(user[Partial.LIKES.ordinal()]) ? 1 : 0;
    }

    private static boolean positive(Object count) {
        return count != null && (Long) count > 0;
    }

    public long count(Partial partial) {
        return sums[partial.ordinal()] == null ? 0 : (Long) sums[partial.ordinal()];
    }

    public double real(Partial partial) {
        return sums[partial.ordinal()] == null ? 0.0 : (Double) sums[partial.ordinal()];
    }

    public BigDecimal decimal(Partial partial) {
        return sums[partial.ordinal()] == null ? BigDecimal.ZERO : (BigDecimal) sums[partial.ordinal()];
    }

    public long users() {
        return users;
    }

    public long newUsers() {
        return newUsers;
    }

    public long feedUsers() {
        return feedUsers;
    }

    /** Users of the group who viewed a post. */
    public long viewers() {
        return viewers;
    }

    /** Users of the group who liked a post. */
    public long likers() {
        return likers;
    }

    public long senders() {
        return senders;
    }

    public long feedOnlyUsers() {
        return feedOnlyUsers;
    }

    public long messengerOnlyUsers() {
        return messengerOnlyUsers;
    }

    public long bothUsers() {
        return bothUsers;
    }

    public long payingUsers() {
        return payingUsers;
    }

    /** Users of the group with a session starting in it. */
    public long sessionUsers() {
        return sessionUsers;
    }
}
