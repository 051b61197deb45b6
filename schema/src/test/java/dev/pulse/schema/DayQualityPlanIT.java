package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * day_quality (V13) reads one day of an app's rejections through an index range on rejected_at, whatever the range of
 * days kept, and still counts exactly the rejections of the app-local day, DST days included.
 */
class DayQualityPlanIT {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final LocalDate FIRST = LocalDate.of(2026, 9, 1);
    private static final int DAYS = 120;
    private static EmbeddedPostgres postgres;
    private static int[][] perAppDay;

    @BeforeAll
    static void fill() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
        Random random = new Random(13);
        perAppDay = new int[4][DAYS + 1];
        Instant start = FIRST.atStartOfDay(ZoneOffset.UTC).toInstant();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, rejected_at) VALUES (0, ?, ?, ?, ?)")) {
            for (int i = 0; i < 60_000; i++) {
                int app = random.nextInt(4);
                Instant at = start.plusSeconds(random.nextLong(DAYS * 86_400L));
                int day = (int) (at.atZone(BERLIN).toLocalDate().toEpochDay() - FIRST.toEpochDay());
                if (day >= 0) {
                    perAppDay[app][day]++;
                }
                insert.setLong(1, i);
                insert.setString(2, "app-" + app);
                insert.setString(3, i % 3 == 0 ? "event" : "user_id");
                insert.setObject(4, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                insert.addBatch();
            }
            insert.executeBatch();
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE invalid_events");
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void countsTheAppLocalDayIncludingTheDstChange() throws SQLException {
        // 2026-10-25 has 25 hours in Berlin
        for (LocalDate day : new LocalDate[] {LocalDate.of(2026, 10, 25), LocalDate.of(2026, 11, 3), FIRST}) {
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                 PreparedStatement q = c.prepareStatement("SELECT rejected FROM day_quality(?, ?, ?)")) {
                q.setString(1, "app-2");
                q.setObject(2, day);
                q.setString(3, BERLIN.getId());
                try (ResultSet rows = q.executeQuery()) {
                    rows.next();
                    assertEquals(perAppDay[2][(int) (day.toEpochDay() - FIRST.toEpochDay())], rows.getLong(1), day.toString());
                }
            }
        }
    }

    /** As query-api runs it: a prepared statement, whose generic plan must still range over the index. */
    @Test
    void readsOneDayThroughAnIndexRangeEvenWithAGenericPlan() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE quality(text, date, text) AS SELECT * FROM day_quality($1, $2, $3)");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = s.executeQuery("EXPLAIN EXECUTE quality('app-1', '2026-11-03', 'Europe/Berlin')")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            String text = plan.toString();
            assertTrue(text.matches("(?s).*(Index Scan using|Index Only Scan using|Bitmap Index Scan on) invalid_events_app.*"), text);
            assertTrue(text.matches("(?s).*Index Cond: \\(\\(app_id = \\$1\\) AND \\(rejected_at >= .*\\) AND \\(rejected_at < .*"), text);
            assertTrue(!text.contains("Seq Scan on invalid_events"), text);
        }
    }
}
