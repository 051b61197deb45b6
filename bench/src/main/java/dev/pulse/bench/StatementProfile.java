package dev.pulse.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL's side of a profile: what each statement cost over a phase, from {@code pg_stat_statements}, which the
 * local stack's server preloads. The services' JFR profiles cannot see this work, and it is most of the write path's.
 */
final class StatementProfile {
    record Row(String statement, long calls, long rows, double totalMillis, double share) {
    }

    private StatementProfile() {
    }

    static void reset(Connection db) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("SELECT pg_stat_statements_reset()");
        }
    }

    /** The statements since {@link #reset} whose text matches {@code regex} (case-insensitive), summed as one row. */
    static Row matching(Connection db, String regex) throws SQLException {
        try (var s = db.prepareStatement("""
                SELECT count(*), coalesce(sum(calls), 0), coalesce(sum(rows), 0), coalesce(sum(total_exec_time), 0),
                       coalesce(sum(total_exec_time), 0) / nullif((SELECT sum(total_exec_time) FROM pg_stat_statements
                                                               WHERE query NOT ILIKE '%pg_stat_statements%'), 0)
                FROM pg_stat_statements WHERE query ~* ? AND query NOT ILIKE '%pg_stat_statements%'""")) {
            s.setString(1, regex);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Row(rs.getLong(1) + " statements", rs.getLong(2), rs.getLong(3), rs.getDouble(4), rs.getDouble(5));
            }
        }
    }

    /** The {@code limit} statements that took the most execution time since {@link #reset}, the bench's own excluded. */
    static List<Row> top(Connection db, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls, rows, total_exec_time,
                       total_exec_time / nullif(sum(total_exec_time) OVER (), 0)
                FROM pg_stat_statements
                WHERE query NOT ILIKE '%pg_stat_statements%'
                ORDER BY total_exec_time DESC LIMIT""" + " " + limit)) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4), rs.getDouble(5)));
            }
        }
        return rows;
    }
}
