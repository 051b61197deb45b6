package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * user_event_times_merge (V32) against the ascending distinct union worked out here, and against decoding and
 * encoding both lists whole (V25's merge): added times before, among, equal to and after the stored ones, empty lists,
 * single times, negative times.
 */
class EventTimesMergeIT {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void mergesToTheAscendingDistinctUnion() throws Exception {
        Random random = new Random(32);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); PreparedStatement merge = c.prepareStatement("""
                SELECT user_event_times_merge(?, ?),
                       user_event_times_encode(ARRAY(SELECT user_event_times_decode(?) UNION ALL SELECT user_event_times_decode(?)))""")) {
            for (int round = 0; round < 600; round++) {
                long base = random.nextBoolean() ? 1_780_000_000_000_000L : -random.nextInt(1_000_000);
                TreeSet<Long> stored = times(random, base, random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(300));
                // mostly after the stored times, with some jitter back into them, sometimes all before or all over
                long from = switch (random.nextInt(4)) {
                    case 0 -> base - 1_000;
                    case 1 -> stored.isEmpty() ? base : stored.last() - random.nextInt(5_000);
                    default -> stored.isEmpty() ? base : stored.last() + 1;
                };
                TreeSet<Long> added = times(random, from, random.nextInt(5) == 0 ? random.nextInt(2) : random.nextInt(40));
                if (!stored.isEmpty() && random.nextInt(5) == 0) {
                    added.add(stored.first());
                }
                TreeSet<Long> union = new TreeSet<>(stored);
                union.addAll(added);
                byte[] a = bytes(stored);
                byte[] b = bytes(added);
                merge.setBytes(1, a);
                merge.setBytes(2, b);
                merge.setBytes(3, a);
                merge.setBytes(4, b);
                try (ResultSet rs = merge.executeQuery()) {
                    rs.next();
                    assertArrayEquals(bytes(union), rs.getBytes(1), "round " + round);
                    assertArrayEquals(rs.getBytes(2), rs.getBytes(1), "round " + round + ": V25's whole merge");
                }
            }
        }
    }

    /** {@code n} distinct times from {@code from} on, some a microsecond apart. */
    private static TreeSet<Long> times(Random random, long from, int n) {
        TreeSet<Long> times = new TreeSet<>();
        long t = from;
        while (times.size() < n) {
            t += random.nextInt(3) == 0 ? 1 : random.nextInt(2_000_000);
            times.add(t);
        }
        return times;
    }

    /** 8 bytes big-endian per time, ascending: the column's encoding. */
    private static byte[] bytes(TreeSet<Long> times) {
        ByteBuffer buffer = ByteBuffer.allocate(times.size() * 8);
        times.forEach(buffer::putLong);
        return buffer.array();
    }
}
