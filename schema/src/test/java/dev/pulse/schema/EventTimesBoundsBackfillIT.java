package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * V41 bounds each row of the funnels' state written before it: an ascending row by its first and last time, a row
 * given up (times NULL) by its week with a day either side; every row then has bounds.
 */
class EventTimesBoundsBackfillIT {

    @Test
    void theRowsBeforeV41AreBoundedByTheirTimesOrTheirWeek() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             Connection c = postgres.getPostgresDatabase().getConnection()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").target("40").load().migrate();
            Random random = new Random(41);
            LocalDate week = LocalDate.of(2026, 11, 30);
            long weekStart = week.atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000;
            Map<String, long[]> expected = new HashMap<>();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO user_event_times VALUES ('app', ?, 'signup', ?, ?)")) {
                for (int user = 0; user < 200; user++) {
                    TreeSet<Long> times = new TreeSet<>();
                    int size = 1 + random.nextInt(20);
                    while (times.size() < size) {
                        // some before the epoch: the bounds are signed
                        times.add(weekStart - 200_000_000_000L * (user % 3 == 0 ? 100_000 : 0) + random.nextLong(7 * 86_400_000_000L));
                    }
                    boolean givenUp = user % 10 == 0;
                    insert.setObject(1, week);
                    insert.setString(2, "u" + user);
                    ByteBuffer bytes = ByteBuffer.allocate(8 * times.size());
                    times.forEach(bytes::putLong);
                    insert.setBytes(3, givenUp ? null : bytes.array());
                    insert.addBatch();
                    expected.put("u" + user, givenUp ? new long[] {weekStart - 86_400_000_000L, weekStart + 8 * 86_400_000_000L}
                            : new long[] {times.first(), times.last()});
                }
                insert.executeBatch();
            }
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
            Map<String, long[]> bounds = new HashMap<>();
            try (ResultSet r = c.createStatement().executeQuery("SELECT user_id, first_micros, last_micros FROM user_event_times")) {
                while (r.next()) {
                    bounds.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3)});
                }
            }
            assertEquals(expected.keySet(), bounds.keySet());
            expected.forEach((user, range) -> assertEquals(range[0] + ".." + range[1], bounds.get(user)[0] + ".." + bounds.get(user)[1], user));
        }
    }
}
