package dev.pulse.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficGenerator;
import dev.pulse.contract.testing.FactTables;
import dev.pulse.deploy.faults.DailyMetricsCheck;
import dev.pulse.deploy.local.Service;
import dev.pulse.deploy.local.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of each service on one Kafka, PostgreSQL and Redis (issue 19): traffic spread over both ingest
 * instances, one enrich and one aggregate instance SIGKILLed mid-stream and restarted, and still every event
 * once; the scheduled jobs, which every aggregate and enrich instance runs, each do a due unit once.
 */
class ReplicasIT {
    private static final String ADMIN = "replicas-admin-token";
    private static final PulseClient HTTP = new PulseClient();
    private static final int PARTITIONS = 4;
    private static final int RATE = 500;
    private static final int BURST = 2_000;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("pulse-replicas-it");
        // the jobs check often, so that both instances of a service race for every due unit during the test
        stack = Stack.start(new Stack.Options(data, Path.of("..").toAbsolutePath().normalize(), new int[7], null, null, null,
                ADMIN, PARTITIONS, 2, Map.of(
                        // a bucket of two full requests, refilled at half of one per second: the generator's 150 events/s fit
                        "PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND", String.valueOf(RATE),
                        "PULSE_INGEST_RATE_LIMIT_BURST", String.valueOf(BURST),
                        // a first script call of an instance on a busy machine can exceed the default 100 ms and fall
                        // back to the local bucket (fail open, GlobalRateLimitIT's subject); here Redis must decide
                        "PULSE_INGEST_RATE_LIMIT_REDIS_TIMEOUT", "5s",
                        "PULSE_AGGREGATE_CLOSE_CHECK_EVERY", "2s",
                        "PULSE_AGGREGATE_PARTITIONS_CHECK_EVERY", "2s",
                        "PULSE_AGGREGATE_REALTIME_CHECK_EVERY", "1s",
                        "PULSE_ENRICH_DEDUP_CLEANUP_EVERY", "2s")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void twoInstancesOfEachServiceCountEveryEventOnceAndRunEachDueJobOnce() throws Exception {
        List<String> report = new ArrayList<>();
        JsonNode app = HTTP.post(stack.service("ingest-service").url() + "/v1/admin/apps", ADMIN, "{\"app\":\"replicas\"}").body();
        String appId = app.get("app").asText();
        List<Service> ingest = stack.instances("ingest-service");
        List<Service> enrich = stack.instances("enrich-service");
        List<Service> aggregate = stack.instances("aggregate-service");
        // partitions are made once, at the first start: what the instance about to be killed made is counted now
        double partitionsByKilled = sum(aggregate.get(1), "pulse_aggregate_partitions_changed_total", Map.of("change", "created"));

        GeneratorConfig config = new GeneratorConfig(19, 200, 150, 4_500, 50, 0.05, 0.01, 0.02, 0.1);
        TrafficGenerator generator = new TrafficGenerator(new IngestClient(ingest.stream().map(Service::url).toList(),
                app.get("write_key").asText()), config);
        Thread traffic = Thread.ofPlatform().name("replicas-traffic").start(generator);
        await().atMost(Duration.ofSeconds(60)).until(() -> generator.sent() > 1_000);
        double enrichRebalancesBefore = sum(enrich.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of());
        double aggregateRebalancesBefore = sum(aggregate.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of());
        report.add("enrich-service-2 had enriched " + (long) sum(enrich.get(1), "pulse_enrich_events_enriched_total", Map.of())
                + " events when killed");
        Instant killed = Instant.now();
        enrich.get(1).restart(Duration.ofMinutes(3));
        report.add("enrich-service-2 SIGKILLed and ready again after " + Duration.between(killed, Instant.now()).toMillis() + " ms");
        await().atMost(Duration.ofSeconds(60)).until(() -> generator.sent() > 2_500);
        report.add("aggregate-service-2 had stored " + (long) sum(aggregate.get(1), "pulse_aggregate_events_stored_total", Map.of())
                + " events when killed");
        killed = Instant.now();
        aggregate.get(1).restart(Duration.ofMinutes(3));
        report.add("aggregate-service-2 SIGKILLed and ready again after " + Duration.between(killed, Instant.now()).toMillis() + " ms");
        traffic.join(Duration.ofMinutes(3).toMillis());
        assertTrue(!traffic.isAlive(), "the traffic ended");

        long expected = generator.acceptedIds().size();
        String readToken = app.get("read_token").asText();
        String query = "{\"app\":\"" + appId + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\"}";
        for (Service queries : stack.instances("query-api")) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertEquals(expected,
                    HTTP.post(queries.url() + "/v1/query", readToken, query).body().get("results").get(0).get("metrics").get(0).asLong(),
                    "events stored = distinct events accepted, read through " + queries.name()));
        }
        JsonNode daily = HTTP.post(stack.service("query-api").url() + "/v1/query", readToken, DailyMetricsCheck.query(appId)).body().get("results");
        assertEquals(List.of(), DailyMetricsCheck.mismatches(daily, generator.expectedDaily(ZoneOffset.UTC)));

        // the work was spread: each ingest instance accepted events, each enrich and aggregate instance processed some
        for (Service s : ingest) {
            double accepted = sum(s, "pulse_ingest_events_accepted_total", Map.of("app", appId));
            report.add(s.name() + " accepted " + (long) accepted + " events");
            assertTrue(accepted > 0, s.name() + " took traffic");
        }
        for (Service s : enrich) {
            report.add(s.name() + " enriched " + (long) sum(s, "pulse_enrich_events_enriched_total", Map.of()) + " events since its start");
        }
        for (Service s : aggregate) {
            report.add(s.name() + " stored " + (long) sum(s, "pulse_aggregate_events_stored_total", Map.of()) + " events since its start");
        }
        assertTrue(sum(enrich.get(0), "pulse_enrich_events_enriched_total", Map.of()) > 0, "the surviving enrich instance worked");
        assertTrue(sum(aggregate.get(0), "pulse_aggregate_events_stored_total", Map.of()) > 0, "the surviving aggregate instance worked");

        // consumer-group rebalances are visible: the survivor's consumers rebalanced when the killed member's session ended
        // or when its replacement joined; the counter moves when the survivor's side of a rebalance completes, which
        // need not come before the last events are stored (CI once scraped it just before)
        await().atMost(Duration.ofSeconds(60)).until(() ->
                sum(enrich.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of()) > enrichRebalancesBefore
                        && sum(aggregate.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of()) > aggregateRebalancesBefore);
        double rebalances = sum(enrich.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of()) - enrichRebalancesBefore;
        double aggregateRebalances = sum(aggregate.get(0), "kafka_consumer_coordinator_rebalance_total", Map.of()) - aggregateRebalancesBefore;
        report.add("rebalances seen by the surviving instances: enrich " + (long) rebalances + ", aggregate " + (long) aggregateRebalances
                + "; longest rebalance: enrich " + (long) max(enrich.get(0), "kafka_consumer_coordinator_rebalance_latency_max")
                + " ms, aggregate " + (long) max(aggregate.get(0), "kafka_consumer_coordinator_rebalance_latency_max") + " ms");
        assertTrue(rebalances >= 1, "enrich's survivor rebalanced: " + rebalances);
        assertTrue(aggregateRebalances >= 1, "aggregate's survivor rebalanced: " + aggregateRebalances);

        // every derived table equals its rebuild from the raw store
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<String> afterKills;
        try (Connection db = stack.openDatabase()) {
            afterKills = FactTables.snapshot(db, appId);
        }
        PulseClient.Reply rebuilt = HTTP.post(aggregate.get(1).url() + "/v1/admin/recompute", ADMIN,
                "{\"app\":\"" + appId + "\",\"from\":\"" + today.minusDays(7) + "\",\"to\":\"" + today + "\"}");
        assertEquals(200, rebuilt.status(), String.valueOf(rebuilt.body()));
        assertEquals(expected, rebuilt.body().get("events_replayed").asLong());
        try (Connection db = stack.openDatabase()) {
            assertEquals(List.of(), FactTables.differences(afterKills, FactTables.snapshot(db, appId)));
        }

        jobsDoEachDueUnitOnce(appId, enrich, aggregate, partitionsByKilled, report);
        Files.write(Path.of("target/replicas-run.txt"), report);
    }

    /**
     * The per-app rate limit holds across the two ingest instances: three full requests in quick succession, to
     * one instance, the other, the first again. Per-instance buckets would take all three (each instance has a whole
     * burst); the one bucket in Redis has room for two, plus what refills meanwhile.
     */
    @Test
    void theRateLimitIsOneBucketForBothIngestInstances() {
        JsonNode app = HTTP.post(stack.service("ingest-service").url() + "/v1/admin/apps", ADMIN, "{\"app\":\"limited\"}").body();
        List<Service> ingest = stack.instances("ingest-service");
        long start = System.nanoTime();
        assertEquals(202, HTTP.post(ingest.get(0).url() + "/v1/events", app.get("write_key").asText(), fullRequest()).status());
        assertEquals(202, HTTP.post(ingest.get(1).url() + "/v1/events", app.get("write_key").asText(), fullRequest()).status());
        PulseClient.Reply third = HTTP.post(ingest.get(0).url() + "/v1/events", app.get("write_key").asText(), fullRequest());
        double seconds = (System.nanoTime() - start) / 1e9;
        // what one bucket could hold by the third request: the burst less two requests, plus the refill meanwhile
        double room = BURST - 2.0 * MAX_REQUEST + RATE * seconds;
        assertTrue(room < MAX_REQUEST, "three requests in " + seconds + " s: too slow to tell one bucket from two");
        assertEquals(429, third.status(), "the third full request, " + seconds + " s after the first: " + third.body());
        assertTrue(third.retryAfter() != null, "429 says when to come back");
        for (Service s : ingest) {
            try {
                assertEquals(0.0, sum(s, "pulse_ingest_rate_limit_fallback_total", Map.of("app", "limited")), s.name() + " asked Redis");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final int MAX_REQUEST = 1_000;

    private static String fullRequest() {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < MAX_REQUEST; i++) {
            events.add("{\"event\":\"signup\",\"user_id\":\"limited-" + i + "\",\"event_id\":\"" + UUID.randomUUID() + "\"}");
        }
        return "[" + String.join(",", events) + "]";
    }

    private static void jobsDoEachDueUnitOnce(String appId, List<Service> enrich, List<Service> aggregate, double partitionsByKilled,
            List<String> report) throws Exception {
        // partition maintenance: each raw-store partition was created by exactly one run of one instance
        long partitions = queryLong("SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass "
                + "AND inhrelid <> 'events_default'::regclass");
        assertEquals((double) partitions, partitionsByKilled + sum(aggregate, "pulse_aggregate_partitions_changed_total", Map.of("change", "created")),
                "partitions created, counted over both aggregate instances");

        // daily close: the app now existed 3 days ago, so its ended days become due; each is closed by one instance once
        double closedBefore = sum(aggregate, "pulse_aggregate_days_closed_total", Map.of());
        execute("UPDATE apps SET created_at = now() - interval '3 days' WHERE app_id = '" + appId + "'");
        long due = queryLong("SELECT count(*) FROM generate_series(current_date - 3, current_date - 1, interval '1 day') d "
                + "WHERE d + interval '1 day 10 minutes' <= now()");
        assertTrue(due >= 2, "days due: " + due);
        await().atMost(Duration.ofSeconds(60)).until(() -> queryLong("SELECT count(*) FROM quality_snapshot_daily WHERE app_id = '" + appId + "'") == due);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() ->
                sum(aggregate, "pulse_aggregate_days_closed_total", Map.of()) - closedBefore == due);
        report.add("daily close: " + due + " due days closed once each over both aggregate instances; repaired: "
                + (long) sum(aggregate, "pulse_aggregate_days_closed_total", Map.of("result", "repaired")));

        // real-time rebuild: Redis comes back empty; one instance rebuilds the views, once
        double rebuildsBefore = sum(aggregate, "pulse_aggregate_realtime_rebuilds_total", Map.of());
        stack.restartCacheEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> sum(aggregate, "pulse_aggregate_realtime_rebuilds_total", Map.of()) > rebuildsBefore);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() ->
                sum(aggregate, "pulse_aggregate_realtime_rebuilds_total", Map.of()) - rebuildsBefore == 1);

        // dedup retention: ids past retention are forgotten once, by whichever enrich instance comes first
        double forgottenBefore = sum(enrich, "pulse_enrich_dedup_forgotten_total", Map.of());
        int old = 500;
        try (Connection db = stack.openDatabase(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO enrich_dedup (app_id, event_id, source_partition, source_offset, seen_at) VALUES (?, ?, 0, ?, now() - interval '400 days')")) {
            for (int i = 0; i < old; i++) {
                insert.setString(1, appId);
                insert.setObject(2, UUID.randomUUID());
                insert.setLong(3, i);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong("SELECT count(*) FROM enrich_dedup WHERE seen_at < now() - interval '300 days'") == 0);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() ->
                sum(enrich, "pulse_enrich_dedup_forgotten_total", Map.of()) - forgottenBefore == old);
        report.add("jobs: " + partitions + " partitions created once, 1 real-time rebuild after Redis lost its data, " + old
                + " expired dedup ids forgotten once");
    }

    private static double sum(List<Service> instances, String metric, Map<String, String> labels) throws IOException, InterruptedException {
        double total = 0;
        for (Service s : instances) {
            total += sum(s, metric, labels);
        }
        return total;
    }

    private static double sum(Service service, String metric, Map<String, String> labels) throws IOException, InterruptedException {
        return scrape(service).values(metric, labels).stream().mapToDouble(Double::parseDouble).sum();
    }

    private static double max(Service service, String metric) throws IOException, InterruptedException {
        return scrape(service).values(metric, Map.of()).stream().mapToDouble(Double::parseDouble).filter(v -> !Double.isNaN(v)).max().orElse(0);
    }

    private static ServedMetrics scrape(Service service) throws IOException, InterruptedException {
        return new ServedMetrics().scrape(service.name(), service.url());
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection db = stack.openDatabase(); Statement s = db.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection db = stack.openDatabase(); Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }
}
