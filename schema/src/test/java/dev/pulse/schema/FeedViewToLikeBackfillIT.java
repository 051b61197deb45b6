package dev.pulse.schema;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * V36 fills fact_daily_feed's view-to-like sum and count of the rows written before it from feed_user_posts: each
 * user-day's posts liked at or after their first view, and their seconds from view to like, summed exactly.
 */
class FeedViewToLikeBackfillIT {
    private record UserDay(LocalDate day, String user) {
    }

    @Test
    void theRowsBeforeV36GetTheSumAndCountOfTheirPostsLikedAfterTheView() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             Connection c = postgres.getPostgresDatabase().getConnection()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").target("35").load().migrate();
            Random random = new Random(36);
            LocalDate first = LocalDate.of(2026, 11, 1);
            Map<UserDay, BigDecimal> sums = new HashMap<>();
            Map<UserDay, Integer> counts = new HashMap<>();
            Set<UserDay> keys = new HashSet<>();
            try (PreparedStatement posts = c.prepareStatement("INSERT INTO feed_user_posts VALUES ('app', ?, ?, ?, ?, ?)");
                 PreparedStatement feed = c.prepareStatement("""
                         INSERT INTO fact_daily_feed (app_id, event_date, user_id, posts, views, likes) VALUES ('app', ?, ?, 1, 1, 0)
                         ON CONFLICT DO NOTHING""")) {
                for (int i = 0; i < 5_000; i++) {
                    UserDay key = new UserDay(first.plusDays(random.nextInt(3)), "u" + random.nextInt(200));
                    keys.add(key);
                    long viewMicros = key.day().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() * 1000 + random.nextLong(80_000_000_000L);
                    // a like before the view, at the same microsecond, after it, or none; a view missing too
                    int like = random.nextInt(8);
                    Long likeMicros = like < 2 ? null : like == 2 ? viewMicros : viewMicros + random.nextLong(-2_000_000_000L, 4_000_000_000L);
                    boolean viewed = random.nextInt(10) > 0;
                    posts.setObject(1, key.day());
                    posts.setString(2, key.user());
                    posts.setLong(3, i);
                    posts.setObject(4, viewed ? at(viewMicros) : null);
                    posts.setObject(5, likeMicros == null ? null : at(likeMicros));
                    posts.addBatch();
                    feed.setObject(1, key.day());
                    feed.setString(2, key.user());
                    feed.addBatch();
                    if (viewed && likeMicros != null && likeMicros >= viewMicros) {
                        sums.merge(key, BigDecimal.valueOf(likeMicros - viewMicros, 6), BigDecimal::add);
                        counts.merge(key, 1, Integer::sum);
                    }
                }
                posts.executeBatch();
                feed.executeBatch();
            }
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
            Map<UserDay, BigDecimal> storedSums = new HashMap<>();
            Map<UserDay, Integer> storedCounts = new HashMap<>();
            Set<UserDay> rows = new HashSet<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT event_date, user_id, view_to_like_sum, view_to_like_count FROM fact_daily_feed")) {
                while (r.next()) {
                    UserDay key = new UserDay(r.getObject(1, LocalDate.class), r.getString(2));
                    rows.add(key);
                    if (r.getInt(4) > 0) {
                        storedSums.put(key, r.getBigDecimal(3).stripTrailingZeros());
                        storedCounts.put(key, r.getInt(4));
                    } else {
                        assertEquals(0, r.getBigDecimal(3).signum(), "a user-day without a like after a view sums nothing");
                    }
                }
            }
            Map<UserDay, BigDecimal> expectedSums = new HashMap<>();
            sums.forEach((key, sum) -> expectedSums.put(key, sum.stripTrailingZeros()));
            assertEquals(keys, rows);
            assertEquals(counts, storedCounts);
            assertEquals(expectedSums, storedSums);
        }
    }

    private static OffsetDateTime at(long micros) {
        return OffsetDateTime.ofInstant(Instant.EPOCH.plusNanos(micros * 1000), ZoneOffset.UTC);
    }
}
