package dev.pulse.migrate;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One embedded PostgreSQL for the migrate command's tests, each in a database of its own. Its port is kept in a
 * system property: a test profile and its test class may be loaded by different class loaders, yet share the server.
 */
final class MigrateDatabase {
    private static final String PORT = "pulse.test.migrate-postgres-port";

    private MigrateDatabase() {
    }

    /** A new, empty database; its JDBC URL. */
    static synchronized String fresh(String name) {
        String url = url(name);
        try (Connection admin = DriverManager.getConnection(url("postgres"), "postgres", "postgres");
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name);
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url;
    }

    static String url(String name) {
        return "jdbc:postgresql://localhost:" + port() + "/" + name;
    }

    /** The first column of the first row, or null when the statement fails (a table that does not exist). */
    static String queryString(String name, String sql) {
        try (Connection connection = DriverManager.getConnection(url(name), "postgres", "postgres");
             Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    private static synchronized int port() {
        String port = System.getProperty(PORT);
        if (port == null) {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
                port = Integer.toString(postgres.getPort());
                System.setProperty(PORT, port);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Integer.parseInt(port);
    }
}
