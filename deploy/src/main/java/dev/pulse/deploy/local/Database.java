package dev.pulse.deploy.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL for the stack: an embedded server with its data on disk, or the one {@code PG_URL} names
 * ({@code postgresql://user:password@host:port/database}). Either way the database gets a read-only login
 * for query-api.
 */
final class Database implements AutoCloseable {
    static final String READER = "pulse_query";
    static final String READER_PASSWORD = "pulse_query";

    private final EmbeddedPostgres embedded;
    final String host;
    final int port;
    final String database;
    final String user;
    final String password;

    private Database(EmbeddedPostgres embedded, String host, int port, String database, String user, String password) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    static Database embedded(Path dir, int port) throws IOException, SQLException {
        Files.createDirectories(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("max_connections", "200")
                // what each statement costs, for the benchmark's profile of PostgreSQL's work per event
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                // the embedded defaults are off: a server crash could lose commits the services already acknowledged
                // (their Kafka offsets committed after them), a machine crash corrupt the data, and the benchmark would
                // measure a server no one runs
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on").start();
        Database db = new Database(pg, "127.0.0.1", pg.getPort(), "pulse", "postgres", "postgres");
        try (Connection c = DriverManager.getConnection(db.jdbcUrl("postgres"), db.user, db.password);
             Statement s = c.createStatement();
             ResultSet exists = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'pulse'")) {
            if (!exists.next()) {
                s.execute("CREATE DATABASE pulse");
            }
        }
        db.createReader();
        return db;
    }

    static Database external(String url) throws SQLException {
        URI uri = URI.create(url);
        String[] credentials = uri.getUserInfo() == null ? new String[] {"postgres", ""} : uri.getUserInfo().split(":", 2);
        Database db = new Database(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), uri.getPath().substring(1),
                credentials[0], credentials.length > 1 ? credentials[1] : "");
        db.createReader();
        return db;
    }

    /** query-api reads through this login: it can read everything and write nothing. */
    private void createReader() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), user, password); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + READER + "') THEN "
                    + "CREATE ROLE " + READER + " LOGIN PASSWORD '" + READER_PASSWORD + "'; END IF; END $$");
            s.execute("GRANT pg_read_all_data TO " + READER);
        }
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
