package dev.pulse.query.service;

import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;

import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * The row sources queries read (used with alias {@code e}): a table as it is, or with each row's user's first day
 * ({@code first_date}) joined in, or the raw store's rows of a range with their sessions worked out.
 */
final class Sources {
    private Sources() {
    }

    /** Whether a dimension grouped or filtered on reads the user's first day. */
    static boolean needsFirstSeen(Collection<Dimension> dimensions, Collection<Filter> filters) {
        return Stream.concat(dimensions.stream(), filters.stream().map(Filter::dimension)).anyMatch(Dimension::needsFirstSeen);
    }

    /**
     * {@code table}, with the user's first days ({@code first_date}, {@code first_feed_date}, {@code first_messenger_date})
     * when asked: one probe of user_first_seen's key per row ({@link #probe}).
     */
    static String of(String table, boolean firstSeen) {
        return firstSeen
                ? "(SELECT r.*, fs.first_date, fs.first_feed_date, fs.first_messenger_date FROM " + table + " r LEFT JOIN "
                        + probe("SELECT f.first_date, f.first_feed_date, f.first_messenger_date FROM user_first_seen f"
                                + " WHERE f.app_id = r.app_id AND f.user_id = r.user_id") + " fs ON true)"
                : table;
    }

    /**
     * {@code select}, a read of a table's key correlated on the row before it, as a LATERAL subquery run once per row
     * (OFFSET 0 keeps PostgreSQL from turning it into a join): the fault {@link dev.pulse.schema.UserOrdinals} describes,
     * for reads of several columns (8.8 s instead of 22 ms for a new app's day of 10,000 users with its first days).
     * A hash join was 2.3× as quick for a known app's whole month (bench/RESULTS.md, issue 15).
     */
    static String probe(String select) {
        return "LATERAL (" + select + " OFFSET 0)";
    }

    /**
     * The raw store's rows of app {@code app}, days {@code from..to} (placeholders), with their sessions. A session
     * is one user's events of one local day with the same session_id; events without one form runs with no gap over
     * the app's timeout ({@code timeout} seconds). Sessions end at midnight, so a day's sessions depend on that
     * day's events only (a late event changes its own day, and a day's figures are final with it). Added columns:
     * {@code s_start} (the session's first event), and on that row only {@code s_seconds} (first to last event) and
     * {@code s_events}.
     */
    static String sessionized(boolean firstSeen, String app, String from, String to, String timeout) {
        String run = "PARTITION BY t.user_id, t.event_date, t.session_id";
        String session = "PARTITION BY s.user_id, s.event_date, s.session_id, s.s_no";
        return "(SELECT s.*, CASE WHEN s.s_start THEN extract(epoch FROM max(s.event_ts) OVER w - min(s.event_ts) OVER w) END AS s_seconds,"
                + " CASE WHEN s.s_start THEN count(*) OVER w END AS s_events"
                + " FROM (SELECT t.*, sum(t.s_start::int) OVER (" + run + " ORDER BY t.event_ts, t.event_id) AS s_no"
                + " FROM (SELECT t.*, CASE WHEN t.session_id IS NOT NULL THEN lag(t.event_ts) OVER p IS NULL"
                + " ELSE coalesce(t.event_ts - lag(t.event_ts) OVER p > make_interval(secs => " + timeout + "::int), true) END AS s_start"
                + " FROM " + of("events", firstSeen) + " t"
                + " WHERE t.app_id = " + app + " AND t.event_date BETWEEN " + from + " AND " + to
                + " WINDOW p AS (" + run + " ORDER BY t.event_ts, t.event_id)) t) s"
                + " WINDOW w AS (" + session + "))";
    }

    /**
     * Both sides of app {@code app}'s messages of days {@code from..to} (placeholders): per {@code message.sent}, a row
     * of its sender ({@code sent}) with the event's traits and a row of its receiver with the receiver's traits valid
     * when the message was sent (dim_users' version of that moment, probed per message; none for a receiver Pulse has
     * never seen).
     */
    static String messengerSides(boolean firstSeen, String app, String from, String to) {
        String messages = " WHERE m.app_id = " + app + " AND m.event_date BETWEEN " + from + " AND " + to
                + " AND m.event = 'message.sent'";
        String sides = "(SELECT m.app_id, m.event_date, m.event_ts, m.event_id, m.user_id, true AS sent,"
                + " m.gender, m.age, m.user_os, m.source, m.country, m.city, m.exp_group FROM events m" + messages
                + " UNION ALL SELECT m.app_id, m.event_date, m.event_ts, m.event_id, m.receiver_id, false,"
                + " d.gender, d.age, d.os, d.source, d.country, d.city, d.exp_group"
                + " FROM events m LEFT JOIN " + probe("SELECT d.gender, d.age, d.os, d.source, d.country, d.city, d.exp_group FROM dim_users d"
                        + " WHERE d.app_id = m.app_id AND d.user_id = m.receiver_id AND d.valid_from <= m.event_ts"
                        + " AND (d.valid_to IS NULL OR d.valid_to > m.event_ts)") + " d ON true"
                + messages + " AND m.receiver_id IS NOT NULL)";
        return of(sides, firstSeen);
    }
}
