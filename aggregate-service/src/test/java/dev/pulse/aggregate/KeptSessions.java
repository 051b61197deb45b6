package dev.pulse.aggregate;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.contract.testing.SessionRuns;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Sessions worked out here from events ({@link SessionRuns}), per rollup row (user-day and the traits of each
 * session's first event); and the same figures as fact_user_daily keeps them.
 */
final class KeptSessions {
    private KeptSessions() {
    }

    /** Row key → "sessions/bounces/seconds", seconds with 6 decimals; rows without sessions left out. */
    static Map<String, String> of(List<EnrichedEvent> events, int timeoutSeconds) {
        Map<String, long[]> rows = new TreeMap<>();
        // ties in time ordered by event_id as PostgreSQL orders uuids (unsigned bytes: the text form's order, not UUID.compareTo's)
        SessionRuns.of(events, e -> List.of(e.userId(), e.eventDate()), EnrichedEvent::sessionId, EnrichedEvent::timestamp,
                Comparator.comparing(EnrichedEvent::timestamp).thenComparing(e -> e.eventId().toString()),
                Duration.ofSeconds(timeoutSeconds)).forEach(session -> add(rows, session));
        Map<String, String> figures = new TreeMap<>();
        rows.forEach((key, v) -> figures.put(key, v[0] + "/" + v[1] + "/" + BigDecimal.valueOf(v[2], 6).toPlainString()));
        return figures;
    }

    private static void add(Map<String, long[]> rows, List<EnrichedEvent> session) {
        EnrichedEvent first = session.get(0);
        long micros = Duration.between(first.timestamp(), session.get(session.size() - 1).timestamp()).toNanos() / 1000;
        long[] row = rows.computeIfAbsent(key(first), k -> new long[3]);
        row[0]++;
        row[1] += session.size() == 1 ? 1 : 0;
        row[2] += micros;
    }

    private static String key(EnrichedEvent e) {
        UserTraits t = Objects.requireNonNullElse(e.user(), UserTraits.NONE);
        return e.eventDate() + "|" + e.userId() + "|" + t.gender() + "|" + t.age() + "|" + t.os() + "|" + t.source() + "|" + t.country()
                + "|" + t.city() + "|" + t.expGroup();
    }

    /** The same figures of the app's rollup rows that have sessions. */
    static Map<String, String> kept(Connection c, String app) throws SQLException {
        Map<String, String> figures = new TreeMap<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT concat_ws('|', event_date, user_id, coalesce(gender::text, 'null'), coalesce(age::text, 'null'),
                           coalesce(user_os, 'null'), coalesce(source, 'null'), coalesce(country, 'null'), coalesce(city, 'null'),
                           coalesce(exp_group::text, 'null')),
                       sessions || '/' || bounces || '/' || to_char(session_seconds, 'FM999999990.000000')
                FROM fact_user_daily WHERE app_id = ? AND (sessions, bounces, session_seconds) <> (0, 0, 0)""")) {
            s.setString(1, app);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    figures.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return figures;
    }
}
