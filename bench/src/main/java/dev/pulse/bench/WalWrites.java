package dev.pulse.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The write-ahead log a phase wrote, from {@code pg_stat_wal} and {@code pg_stat_checkpointer} (PostgreSQL 17): every
 * row written costs WAL records, and the first change of a page after a checkpoint logs the whole page (a full-page
 * image), a cost no statement's own time shows and the server's settings (checkpoint spacing, WAL compression) decide.
 */
record WalWrites(long records, long fullPageImages, long bytes, long checkpoints) {
    static WalWrites sample(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT w.wal_records, w.wal_fpi, w.wal_bytes, c.num_timed + c.num_requested
                FROM pg_stat_wal w, pg_stat_checkpointer c""")) {
            rs.next();
            return new WalWrites(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
    }

    WalWrites minus(WalWrites before) {
        return new WalWrites(records - before.records, fullPageImages - before.fullPageImages, bytes - before.bytes,
                checkpoints - before.checkpoints);
    }
}
