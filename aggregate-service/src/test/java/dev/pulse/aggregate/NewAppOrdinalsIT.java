package dev.pulse.aggregate;

import dev.pulse.aggregate.repository.DayStateRepository;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static dev.pulse.aggregate.Stored.execute;
import static dev.pulse.aggregate.Stored.queryString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A day of an app the planner's statistics do not know yet (a new app, before autovacuum analyzes its rows): its
 * users without an ordinal are looked for, and its state read, with one probe of user_ordinals per row, not a read of
 * all the app's ordinals per row. Counted in
 * buffers from pg_stat_statements, which do not depend on the machine's speed: a probe is a few buffers, the read of
 * 2,000 ordinals per row thousands.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class NewAppOrdinalsIT {
    private static final int USERS = 2_000;

    @Inject
    DayStateRepository states;
    @Inject
    Pool pool;

    @Test
    void aNewAppsDayIsReadWithOneProbeOfItsOrdinalsPerRow() throws Exception {
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        String known = TestData.newAppId();
        String fresh = TestData.newAppId();
        fill(known, day);
        execute("ANALYZE fact_user_daily, fact_user_event_daily, user_first_seen, user_ordinals");
        fill(fresh, day);
        execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        queryString("SELECT pg_stat_statements_reset()::text");

        int given = pool.withTransaction(connection -> states.assignOrdinals(connection, fresh, day)).await().atMost(Duration.ofMinutes(2));
        DayStateRepository.Read read = pool.withTransaction(connection -> states.read(connection, fresh, day, 1_000))
                .await().atMost(Duration.ofMinutes(2));

        assertEquals(0, given, "every user of the day has an ordinal");
        assertNotNull(read, "every user of the day has an ordinal");
        // the look for users without one reads each user of the day once
        long[] looked = ordinalReads("LIKE '%IS NULL%'");
        assertTrue(looked[0] >= 1, "the look for users without an ordinal ran");
        assertTrue(looked[1] / (double) USERS < 20, "buffers per user looked for: " + looked[1] / (double) USERS);
        // the user side, the event side and the first users: a row each per user
        long[] rows = ordinalReads("NOT LIKE '%IS NULL%'");
        assertTrue(rows[0] >= 3L * USERS, "rows read: " + rows[0]);
        assertTrue(rows[1] / (double) rows[0] < 20, "buffers per row read: " + rows[1] / (double) rows[0]);
    }

    /* rows and buffers of the statements that read user_ordinals whose text is {@code condition} */
    private static long[] ordinalReads(String condition) throws Exception {
        try (Connection connection = PulseInfrastructure.current().dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT coalesce(sum(rows), 0), coalesce(sum(shared_blks_hit + shared_blks_read), 0)"
                     + " FROM pg_stat_statements WHERE query LIKE '%user_ordinals o%' AND query NOT LIKE '%pg_stat_statements%' AND query "
                     + condition)) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    /* USERS users on the day, each with a rollup row of each side, a first day and an ordinal */
    private static void fill(String app, LocalDate day) throws Exception {
        String users = "FROM generate_series(1, " + USERS + ") AS u(n)";
        String sums = "1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0";
        execute("INSERT INTO fact_user_daily (app_id, event_date, user_id, events, views, likes, messages, signups, purchases, revenue,"
                + " page_views, plays, engagement_seconds, pct_sum, pct_count) SELECT '" + app + "', DATE '" + day + "', 'user-' || n, " + sums
                + " " + users);
        execute("INSERT INTO fact_user_event_daily (app_id, event_date, user_id, event, category, events, views, likes, messages, signups,"
                + " purchases, revenue, page_views, plays, engagement_seconds, pct_sum, pct_count) SELECT '" + app + "', DATE '" + day
                + "', 'user-' || n, 'view', 'feed', " + sums + " " + users);
        execute("INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts) SELECT '" + app + "', 'user-' || n, DATE '" + day + "', DATE '"
                + day + "' + time '12:00' " + users);
        execute("INSERT INTO user_ordinals (app_id, user_id, ordinal) SELECT '" + app + "', 'user-' || n, n " + users);
    }
}
