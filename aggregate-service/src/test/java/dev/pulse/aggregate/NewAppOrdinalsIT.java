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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A day of an app the planner's statistics do not know yet (a new app, before autovacuum analyzes its rows): its
 * state is read with one probe of user_ordinals per row, not a read of all the app's ordinals per row. Counted in
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

        DayStateRepository.Read read = pool.withTransaction(connection -> states.read(connection, fresh, day, 1_000))
                .await().atMost(Duration.ofMinutes(2));

        assertNotNull(read, "every user of the day has an ordinal");
        try (Connection connection = PulseInfrastructure.current().dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("""
                     SELECT sum(rows), sum(shared_blks_hit + shared_blks_read) FROM pg_stat_statements
                     WHERE query LIKE '%user_ordinals o%' AND query NOT LIKE '%pg_stat_statements%'""")) {
            rows.next();
            // the user side, the event side and the first users: a row each per user (more if aggregate's job read a day too)
            long readRows = rows.getLong(1);
            assertTrue(readRows >= 3L * USERS, "rows read: " + readRows);
            double buffersPerRow = rows.getDouble(2) / readRows;
            assertTrue(buffersPerRow < 20, "buffers per row read: " + buffersPerRow);
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
