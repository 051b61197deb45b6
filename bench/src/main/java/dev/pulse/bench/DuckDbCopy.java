package dev.pulse.bench;

import org.postgresql.PGConnection;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Issue 15's anchor: the measured app's raw store copied into an embedded DuckDB (in memory, all cores), where the
 * benchmark runs the same answers as one SQL statement over a columnar copy, as a user with SQL skills could.
 * The columns are those the timed statements read, with the raw store's names, so one statement text serves both.
 */
final class DuckDbCopy implements AutoCloseable {
    private static final String COLUMNS = """
            {'app_id': 'VARCHAR', 'event_date': 'DATE', 'event': 'VARCHAR', 'category': 'VARCHAR', 'user_id': 'VARCHAR',
             'session_id': 'VARCHAR', 'post_id': 'BIGINT', 'content_id': 'VARCHAR', 'country': 'VARCHAR', 'device': 'VARCHAR',
             'os': 'VARCHAR', 'browser': 'VARCHAR', 'host': 'VARCHAR', 'content_type': 'VARCHAR', 'gender': 'SMALLINT',
             'source': 'VARCHAR', 'age': 'SMALLINT', 'user_os': 'VARCHAR', 'city': 'VARCHAR', 'exp_group': 'INTEGER',
             'receiver_id': 'VARCHAR'}""";

    final Connection connection;
    final long rows;
    final double loadSeconds;

    private DuckDbCopy(Connection connection, long rows, double loadSeconds) {
        this.connection = connection;
        this.rows = rows;
        this.loadSeconds = loadSeconds;
    }

    /** Exports the app's events from PostgreSQL as CSV into {@code dir} and loads them into a fresh DuckDB. */
    static DuckDbCopy of(Connection rawStore, String app, Path dir) throws Exception {
        long start = System.nanoTime();
        Path csv = dir.resolve("duckdb-export.csv");
        String names = "app_id, event_date, event, category, user_id, session_id, post_id, content_id, country, device, os, browser, host, "
                + "content_type, gender, source, age, user_os, city, exp_group, receiver_id";
        try (Writer out = Files.newBufferedWriter(csv)) {
            rawStore.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + names + " FROM events WHERE app_id = '"
                    + app.replace("'", "''") + "') TO STDOUT WITH (FORMAT csv, HEADER)", out);
        }
        Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        long rows;
        try (Statement statement = duck.createStatement()) {
            statement.execute("CREATE TABLE events AS SELECT * FROM read_csv('" + csv + "', header = true, columns = " + COLUMNS + ")");
            try (var count = statement.executeQuery("SELECT count(*) FROM events")) {
                count.next();
                rows = count.getLong(1);
            }
        } catch (SQLException e) {
            duck.close();
            throw e;
        } finally {
            Files.delete(csv);
        }
        return new DuckDbCopy(duck, rows, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
