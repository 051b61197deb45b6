package dev.pulse.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows each table took over a phase, from {@code pg_stat_user_tables} (a partition counted under its parent): how
 * many inserted and updated, and of the updates how many were HOT (the new version on the same page, no index entry
 * added). An update that is not HOT writes a new entry in every index of the table, the cost the statement profile
 * cannot tell apart from the statement's own. The counters reach the view when a backend's transaction ends, at most
 * a second late: the last batches of a phase may be missing from it.
 */
final class TableWrites {
    record Row(String table, long inserted, long updated, long hotUpdated, long deleted) {
        Row minus(Row before) {
            return before == null ? this : new Row(table, inserted - before.inserted, updated - before.updated,
                    hotUpdated - before.hotUpdated, deleted - before.deleted);
        }
    }

    private TableWrites() {
    }

    static Map<String, Row> sample(Connection db) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT coalesce(parent.relname, t.relname), sum(t.n_tup_ins), sum(t.n_tup_upd), sum(t.n_tup_hot_upd), sum(t.n_tup_del)
                FROM pg_stat_user_tables t
                LEFT JOIN pg_inherits i ON i.inhrelid = t.relid
                LEFT JOIN pg_class parent ON parent.oid = i.inhparent
                GROUP BY 1""")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
            }
        }
        return rows;
    }

    /** The tables written between two samples, most rows written first. */
    static List<Row> between(Map<String, Row> before, Map<String, Row> after) {
        List<Row> written = new ArrayList<>();
        after.forEach((table, row) -> {
            Row delta = row.minus(before.get(table));
            if (delta.inserted + delta.updated + delta.deleted > 0) {
                written.add(delta);
            }
        });
        written.sort((a, b) -> Long.compare(b.inserted + b.updated + b.deleted, a.inserted + a.updated + a.deleted));
        return written;
    }
}
