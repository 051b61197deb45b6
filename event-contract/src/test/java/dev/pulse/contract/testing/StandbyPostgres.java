package dev.pulse.contract.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * A hot standby of an embedded PostgreSQL, streaming from it through a physical replication slot. The embedded
 * binaries have no pg_basebackup, so the base backup is taken as it does, with the low-level API: pg_backup_start,
 * a copy of the data directory, pg_backup_stop's backup_label; WAL from the backup's start comes over the slot.
 */
public final class StandbyPostgres implements AutoCloseable {
    /** Not copied: the primary's runtime files and WAL (the standby streams what it needs from the slot). */
    private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "pg_wal", "pg_replslot", "pg_stat_tmp");

    private final DataSource primary;
    private final String slot;
    private final Path data;
    private final EmbeddedPostgres server;

    private StandbyPostgres(DataSource primary, String slot, Path data, EmbeddedPostgres server) {
        this.primary = primary;
        this.slot = slot;
        this.data = data;
        this.server = server;
    }

    /** Makes and starts a standby of the server at {@code primaryPort}, whose data directory is {@code primaryData}. */
    public static StandbyPostgres of(DataSource primary, int primaryPort, Path primaryData, String slot) {
        try {
            Path data = Files.createTempDirectory("pulse-standby-" + slot);
            try (Connection c = primary.getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
                s.execute("SELECT pg_backup_start('" + slot + "', true)");
                copy(primaryData, data);
                try (ResultSet rows = s.executeQuery("SELECT labelfile FROM pg_backup_stop(true)")) {
                    rows.next();
                    Files.writeString(data.resolve("backup_label"), rows.getString(1));
                }
            }
            Files.createDirectories(data.resolve("pg_wal/archive_status"));
            Files.createDirectories(data.resolve("pg_replslot"));
            Files.createDirectories(data.resolve("pg_stat_tmp"));
            Files.writeString(data.resolve("standby.signal"), "");
            Files.writeString(data.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=127.0.0.1 port=" + primaryPort
                    + " user=postgres application_name=" + slot + "'\nprimary_slot_name = '" + slot + "'\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                    .setPort(PulseInfrastructure.freePort()).setPGStartupWait(Duration.ofSeconds(60)).start();
            StandbyPostgres standby = new StandbyPostgres(primary, slot, data, server);
            standby.awaitCaughtUp(Duration.ofSeconds(60));
            return standby;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not make a standby", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public DataSource dataSource() {
        return server.getPostgresDatabase();
    }

    /** Stops applying WAL (it still arrives): the standby's data stays as it is until {@link #resume}. */
    public void pause() {
        execute("SELECT pg_wal_replay_pause()");
    }

    public void resume() {
        execute("SELECT pg_wal_replay_resume()");
    }

    /** Waits until the standby has applied everything the primary had written when called. */
    public void awaitCaughtUp(Duration timeout) {
        String target = primaryLsn();
        await("standby " + slot + " replays up to " + target).atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> replayed(target));
    }

    /** The primary's current write position. */
    public String primaryLsn() {
        try (Connection c = primary.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the standby has applied the primary's WAL up to {@code lsn}. */
    public boolean replayed(String lsn) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT coalesce(pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn, false)")) {
            rows.next();
            return rows.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    private void execute(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try (Connection c = primary.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the slot " + slot, e);
        }
        PulseInfrastructure.deleteTree(data);
    }

    /** A copy of a running server's data directory: files that vanish meanwhile are skipped (the WAL replay repairs the rest). */
    private static void copy(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && SKIPPED.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!SKIPPED.contains(file.getFileName().toString())) {
                    try {
                        Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
                    } catch (NoSuchFileException vanished) {
                        return FileVisitResult.CONTINUE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }
}
