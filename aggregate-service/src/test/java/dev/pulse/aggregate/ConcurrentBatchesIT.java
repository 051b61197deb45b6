package dev.pulse.aggregate;

import dev.pulse.aggregate.service.AggregationService;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two batches of one user at once, as two consumers have them while partitions move: the second must wait for the
 * first's commit before it reads any row the facts move by their change (feed_user_posts, fact_user_connections, the
 * session ends), or it adds its change to a state that misses the first batch. The first batch is held inside its
 * transaction (a row it writes late is locked here) so that the second surely runs while it is open.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class ConcurrentBatchesIT {
    @Inject
    AggregationService aggregation;

    @Test
    void aSecondBatchOfAUserWaitsForTheFirstAndBothCountOnce() throws Exception {
        String app = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        Random random = new Random(19);
        Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
        List<EnrichedEvent> seed = events(app, random, day, 60);
        List<EnrichedEvent> first = events(app, random, day, 60);
        List<EnrichedEvent> second = events(app, random, day, 60);
        aggregation.apply(seed).await().atMost(Duration.ofSeconds(30));

        CompletableFuture<AggregationService.Applied> firstDone;
        CompletableFuture<AggregationService.Applied> secondDone;
        try (Connection holder = PulseInfrastructure.current().dataSource().getConnection()) {
            holder.setAutoCommit(false);
            int me = pid(holder);
            // the funnels' times are written last in a batch: the first batch holds its user_first_seen lock while it waits here
            try (PreparedStatement lock = holder.prepareStatement("SELECT count(*) FROM (SELECT 1 FROM user_event_times WHERE app_id = ? FOR UPDATE) x")) {
                lock.setString(1, app);
                try (ResultSet rs = lock.executeQuery()) {
                    assertTrue(rs.next() && rs.getLong(1) > 0, "the seed wrote the user's event times");
                }
            }
            firstDone = aggregation.apply(first).subscribeAsCompletionStage();
            await().atMost(Duration.ofSeconds(30)).until(() -> blocked(me).size() == 1);
            int firstPid = blocked(me).keySet().iterator().next();
            secondDone = aggregation.apply(second).subscribeAsCompletionStage();
            // (a job pausing the app for a moment may be waited for first)
            await().atMost(Duration.ofSeconds(60)).until(() -> blocked(firstPid).values().stream().anyMatch(q -> q.contains("INSERT INTO user_first_seen")));
            assertFalse(firstDone.isDone() || secondDone.isDone());
            holder.rollback();
        }
        firstDone.get(30, TimeUnit.SECONDS);
        secondDone.get(30, TimeUnit.SECONDS);

        List<EnrichedEvent> all = new ArrayList<>(seed);
        all.addAll(first);
        all.addAll(second);
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            assertEquals(KeptSessions.of(all, 1800), KeptSessions.kept(c, app), "sessions of both batches, each once");
            assertEquals(0L, FactTables.eventTimesDifferences(c, app));
            List<String> concurrent = FactTables.snapshot(c, app);
            // the replay runs the stored days through the same code, one batch after another
            io.restassured.RestAssured.given().header("Authorization", "Bearer test-admin-token").contentType("application/json")
                    .body("{\"app\":\"" + app + "\",\"from\":\"" + seed.getFirst().eventDate() + "\",\"to\":\"" + seed.getFirst().eventDate() + "\"}")
                    .when().post("/v1/admin/recompute").then().statusCode(200).body("events_replayed", org.hamcrest.Matchers.equalTo(all.size()));
            assertEquals(FactTables.snapshot(c, app), concurrent, "the facts of the two batches at once equal their replay in turn");
        }
    }

    /** One user's feed views and likes, messages, plays and pages on one day. */
    private static List<EnrichedEvent> events(String app, Random random, Instant day, int count) {
        List<EnrichedEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(AggregationIT.event(app, random, day.plusSeconds(random.nextInt(86_400)), "writer"));
        }
        return events;
    }

    /** The backends that wait for a lock {@code pid} holds, and their statements. */
    private static Map<Integer, String> blocked(int pid) throws SQLException {
        Map<Integer, String> waiting = new HashMap<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("SELECT pid, query FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    waiting.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return waiting;
    }

    private static int pid(Connection c) throws SQLException {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
