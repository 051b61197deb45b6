package dev.pulse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficModel;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Every benchmark against a running stack (see bench/run), written to bench/RESULTS.md: ingest throughput against
 * Kafka's ProducerPerformance on the same broker, enrich and aggregate keeping up (lag), end-to-end freshness
 * at a fixed rate, query latency against the same answer computed by SQL over the raw store, memory per service.
 */
public final class Benchmarks {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] SERVICES = {"ingest-service", "enrich-service", "aggregate-service", "query-api"};

    private final Map<String, String> env = System.getenv();
    private final String ingest = env.getOrDefault("INGEST_URL", "http://127.0.0.1:8081");
    private final String query = env.getOrDefault("QUERY_URL", "http://127.0.0.1:8084");
    private final String kafka = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    private final String adminToken = env.getOrDefault("PULSE_ADMIN_TOKEN", "local-admin-token");
    private final int seconds = Integer.parseInt(env.getOrDefault("BENCH_SECONDS", "30"));
    private final int clients = Integer.parseInt(env.getOrDefault("BENCH_CLIENTS", "8"));
    private final int warmupSeconds = Integer.parseInt(env.getOrDefault("BENCH_WARMUP_SECONDS", "20"));
    /* 0: the write path's figures in minutes, for an A/B of a change to it; the query latency section takes most of a run */
    private final boolean queries = !"0".equals(env.get("BENCH_QUERIES"));
    private final CpuAccounting cpuAccounting = new CpuAccounting(Path.of(env.getOrDefault("PULSE_DATA_DIR", "deploy/local/data")));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The dashboard's calls timed against DuckDB, timed again under late-event churn. */
    private final List<Map.Entry<String, Call>> dashboardCalls = new ArrayList<>();
    private final List<String> report = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new Benchmarks().run(Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md"));
    }

    private void run(Path results) throws Exception {
        long history = Long.parseLong(env.getOrDefault("BENCH_HISTORY_EVENTS", "0"));
        if (history > 0) {
            queriesAtScale(results, history);
            return;
        }
        Map<String, String> urls = new LinkedHashMap<>();
        for (int i = 0; i < SERVICES.length; i++) {
            urls.put(SERVICES[i], "http://127.0.0.1:" + (8081 + i));
        }
        ServiceStats stats = new ServiceStats(urls);
        Map<String, ServiceStats.Memory> atRest = stats.sample();

        double baseline = producerPerformance();
        // the services' first load compiles their hot paths (JIT): a cost of starting, not of an event
        if (warmupSeconds > 0) {
            JsonNode warm = createApp("bench-warmup");
            drain(warm, load(warm, 0, warmupSeconds, null, Long.MAX_VALUE, Instant::now).accepted());
        }
        JsonNode app = createApp("bench-load");
        Map<String, TableWrites.Row> tablesBefore;
        WalWrites walBefore;
        try (Connection db = rawStore()) {
            StatementProfile.reset(db);
            tablesBefore = TableWrites.sample(db);
            walBefore = WalWrites.sample(db);
        }
        Map<String, CpuAccounting.Usage> cpuBefore = cpuAccounting.sample();
        Map<String, Duration> postgresBefore = cpuAccounting.postgresProcesses();
        LoadResult max = load(app, 0, seconds, stats, Long.MAX_VALUE, Instant::now);
        Duration drain = drain(app, max.accepted());
        Map<String, CpuAccounting.Usage> cpu = CpuAccounting.between(cpuBefore, cpuAccounting.sample());
        Map<String, Duration> postgresAfter = cpuAccounting.postgresProcesses();
        List<StatementProfile.Row> statements;
        StatementProfile.Row dayState;
        List<TableWrites.Row> tables;
        WalWrites wal;
        try (Connection db = rawStore()) {
            wal = WalWrites.sample(db).minus(walBefore);
            statements = StatementProfile.top(db, 12);
            dayState = StatementProfile.matching(db, "open_day_state|day_value_deltas|user_ordinals");
            tables = TableWrites.between(tablesBefore, TableWrites.sample(db));
        }
        JsonNode halfApp = createApp("bench-half");
        LoadResult half = load(halfApp, max.acceptedPerSecond() / 2, seconds, null, Long.MAX_VALUE, Instant::now);
        // freshness is measured on an idle pipeline: nothing of the earlier phases still queued
        drain(halfApp, half.accepted());
        JsonNode freshApp = createApp("bench-fresh");
        load(freshApp, 2_000, seconds, null, Long.MAX_VALUE, Instant::now);
        drain(freshApp, 0);
        JsonNode freshness = get(query + "/v1/quality?app=" + freshApp.get("app").asText(), freshApp.get("read_token").asText());
        String aggregateMetrics = http.send(HttpRequest.newBuilder(URI.create(urls.get("aggregate-service") + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();

        section("Ingest throughput (issue 3)");
        line("| measure | value |", "|---|---|");
        line("| Kafka ProducerPerformance, 300-byte records, acks=all, same producer settings | %.0f records/s |".formatted(baseline));
        line("| ingest-service, %d clients, batches of 100 events (avg %d B/event), as fast as accepted | %.0f events/s |"
                .formatted(clients, max.bytesPerEvent(), max.acceptedPerSecond()));
        line("| ratio ingest / ProducerPerformance (target ≥ 50 %%) | %.0f %% |".formatted(100 * max.acceptedPerSecond() / baseline));
        line("| request latency at max, p50 / p99 | %.1f / %.1f ms |".formatted(max.latency().millis(50), max.latency().millis(99)));
        line("| request latency at half rate (%.0f events/s), p50 / p99 (target p99 < 50 ms) | %.1f / %.1f ms |"
                .formatted(half.acceptedPerSecond(), half.latency().millis(50), half.latency().millis(99)));
        line("| non-2xx answers at max (429 / 503 / other) | %s |".formatted(max.errors()));

        section("Enrich and aggregate keeping up (issues 4, 5)");
        line("| measure | value |", "|---|---|");
        line("| max consumer lag during the max-rate run: enrich (events.raw) / aggregate (events.enriched) | %d / %d records |"
                .formatted(max.maxEnrichLag(), max.maxAggregateLag()));
        line("| time from the end of the max-rate run until every accepted event was in the facts | %.1f s |".formatted(drain.toMillis() / 1000.0));
        double processed = max.accepted() / (seconds + drain.toMillis() / 1000.0);
        line("| end-to-end processing rate over that run (2 cores shared by everything) | %.0f events/s |".formatted(processed));
        line("", "CPU used by each part from the start of the max-rate run until its events were all in the facts (%.1f s, so at most %.1f CPU-s on 2 cores), "
                .formatted(seconds + drain.toMillis() / 1000.0, 2 * (seconds + drain.toMillis() / 1000.0))
                + "and what one core of it handles: the events per CPU-second of that part alone. Of a JVM's CPU, its JIT compiler threads' "
                + "share (from /proc) is shown apart: compiling hot paths is a cost of the JVM's first minutes, which the warm-up does not all "
                + "take, so the last column is what an event costs once the JVM is compiled, and the one before it what it cost in this run.",
                "", "| part | CPU-s | of it JIT compilation | events per CPU-second | without the JIT |", "|---|---|---|---|---|");
        cpu.forEach((part, used) -> line("| %s | %.1f | %.1f | %s | %s |".formatted(part, used.total().toMillis() / 1000.0,
                used.jit().toMillis() / 1000.0, perCpuSecond(max.accepted(), used.total()), perCpuSecond(max.accepted(), used.total().minus(used.jit())))));

        line("", "PostgreSQL's CPU by process over the same run (from /proc; \"ended\": processes that ended within it, autovacuum "
                + "workers mostly, whose whole CPU counts there, so a kind that lost one may show less than nothing): " + postgresAfter.entrySet().stream()
                .map(kind -> Map.entry(kind.getKey(), kind.getValue().minus(postgresBefore.getOrDefault(kind.getKey(), Duration.ZERO))))
                .filter(kind -> Math.abs(kind.getValue().toMillis()) >= 50)
                .sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
                .map(kind -> "%s %.1f s".formatted(kind.getKey(), kind.getValue().toMillis() / 1000.0))
                .collect(Collectors.joining(", ")) + ".");
        line("", "PostgreSQL's statements over the same run (`pg_stat_statements`, execution time only: planning, parsing, "
                + "commits and autovacuum are not in it), the %d that took longest:".formatted(statements.size()),
                "", "| statement | calls | rows | execution s | share | ms per 1,000 events |", "|---|---|---|---|---|---|");
        statements.forEach(st -> line("| `%s` | %d | %d | %.1f | %.0f %% | %.1f |".formatted(
                abbreviated(st.statement()), st.calls(), st.rows(), st.totalMillis() / 1000, 100 * st.share(),
                st.totalMillis() * 1000 / max.accepted())));
        line("", "Of them, the day state's on the write path (the days not over yet, V34: the statements naming `open_day_state`, "
                + "`day_value_deltas` or `user_ordinals`, the batches' and aggregate's jobs'): %s, %d calls, %.1f s, %.0f %% of the statement time, %.1f ms per 1,000 events."
                .formatted(dayState.statement(), dayState.calls(), dayState.totalMillis() / 1000, 100 * dayState.share(), dayState.totalMillis() * 1000 / max.accepted()));

        line("", "The rows each table took over the same run (`pg_stat_user_tables`, a partition under its table), per 1,000 events, "
                        + "and the share of updates that were HOT (the new row version on the same page, so no index entry written):",
                "", "| table | inserted | updated | of the updates HOT | deleted |", "|---|---|---|---|---|");
        tables.forEach(t -> line("| %s | %.0f | %.0f | %s | %.0f |".formatted(t.table(), 1000.0 * t.inserted() / max.accepted(),
                1000.0 * t.updated() / max.accepted(), t.updated() == 0 ? "–" : "%.0f %%".formatted(100.0 * t.hotUpdated() / t.updated()),
                1000.0 * t.deleted() / max.accepted())));
        line("", ("The write-ahead log of the same run (`pg_stat_wal`): %.1f records and %.0f bytes per event; %.2f full-page images per "
                + "event (a page's first change after a checkpoint logs the whole page), %.1f per 100 records; %d checkpoints due (timed or requested).")
                .formatted((double) wal.records() / max.accepted(), (double) wal.bytes() / max.accepted(),
                        (double) wal.fullPageImages() / max.accepted(), 100.0 * wal.fullPageImages() / Math.max(1, wal.records()), wal.checkpoints()));

        section("Freshness at a fixed 2,000 events/s (issue 5)");
        line("| measure | value |", "|---|---|");
        line("| received at ingest → committed in raw store and facts, p50 / p99 (target p99 < 5 s) | %.2f / %.2f s |"
                .formatted(freshness.at("/freshness_seconds/p50").asDouble(), freshness.at("/freshness_seconds/p99").asDouble()));
        line("| received at ingest → written to the Redis real-time views, p50 / p99 over the run's last ~30 s (target p99 < 1 s) | %.2f / %.2f s |"
                .formatted(quantile(aggregateMetrics, "pulse_aggregate_realtime_freshness_seconds", "0.5"),
                        quantile(aggregateMetrics, "pulse_aggregate_realtime_freshness_seconds", "0.99")));

        section("Query latency (issue 6)");
        if (queries) {
            queryLatency(app, storedToday(app), "the max-rate run");
        } else {
            line("Not measured in this run (`BENCH_QUERIES=0`).");
        }

        section("Memory per service (RSS / used heap)");
        line("| service | at rest | under max load |", "|---|---|---|");
        for (String service : SERVICES) {
            ServiceStats.Memory rest = atRest.get(service);
            ServiceStats.Memory loaded = max.memory().get(service);
            line("| %s | %.0f / %.0f MiB | %.0f / %.0f MiB |".formatted(service, rest.rssMiB(), rest.heapMiB(), loaded.rssMiB(), loaded.heapMiB()));
        }
        write(results);
    }

    /** Kafka's own producer benchmark with ingest's producer settings, in a child JVM, on the same broker. */
    private double producerPerformance() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            admin.createTopics(List.of(new NewTopic("bench.baseline." + System.currentTimeMillis(), 6, (short) 1))).all().get();
        }
        String topic;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            topic = admin.listTopics().names().get().stream().filter(t -> t.startsWith("bench.baseline.")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        Process perf = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", "600000", "--record-size", "300",
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + kafka, "acks=all", "enable.idempotence=true",
                "linger.ms=5", "batch.size=131072", "compression.type=none").redirectErrorStream(true).start();
        String output = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (perf.waitFor() != 0) {
            throw new IllegalStateException("ProducerPerformance failed:\n" + output);
        }
        String summary = output.lines().filter(l -> l.contains("records sent")).reduce((a, b) -> b).orElseThrow();
        report.add("<!-- ProducerPerformance: " + summary.trim() + " -->");
        return Double.parseDouble(summary.replaceAll(".*records sent, ([0-9.]+) records/sec.*", "$1"));
    }

    record LoadResult(long accepted, double acceptedPerSecond, Percentiles latency, int bytesPerEvent, String errors,
            long maxEnrichLag, long maxAggregateLag, Map<String, ServiceStats.Memory> memory) {
    }

    /**
     * {@code clients} senders of 100-event batches stamped by {@code clock}, for the duration or until
     * {@code maxEvents} are sent; rate 0 = as fast as accepted. Samples lag and memory if asked.
     */
    private LoadResult load(JsonNode app, double rate, int durationSeconds, ServiceStats stats, long maxEvents,
            Supplier<Instant> clock) throws Exception {
        IngestClient client = new IngestClient(ingest, app.get("write_key").asText());
        Percentiles latency = new Percentiles();
        AtomicLong accepted = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong events = new AtomicLong();
        AtomicLong tooMany = new AtomicLong();
        AtomicLong unavailable = new AtomicLong();
        AtomicLong other = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                TrafficModel model = new TrafficModel(new GeneratorConfig(1000L * id + System.nanoTime(), 10_000, 0, 0, 100, 0, 0, 0, 0));
                long sent = 0;
                try {
                    while (System.nanoTime() < end && events.get() < maxEvents) {
                        List<Map<String, Object>> batch = model.batch(100, clock.get());
                        bytes.addAndGet(MAPPER.writeValueAsBytes(batch).length);
                        events.addAndGet(batch.size());
                        IngestClient.Result result = client.send(Map.of("batch", batch), Duration.ZERO);
                        latency.add(result.micros());
                        switch (result.status()) {
                            case 202 -> accepted.addAndGet(result.accepted());
                            case 429 -> tooMany.incrementAndGet();
                            case 503 -> unavailable.incrementAndGet();
                            default -> other.incrementAndGet();
                        }
                        sent += batch.size();
                        if (rate > 0) {
                            long due = start + (long) (sent * clients / rate * 1e9);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000);
                            }
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long maxEnrichLag = 0;
        long maxAggregateLag = 0;
        Map<String, ServiceStats.Memory> memory = Map.of();
        if (stats != null) {
            try (ConsumerLag lag = new ConsumerLag(kafka)) {
                while (System.nanoTime() < end - 1_000_000_000L) {
                    Thread.sleep(1000);
                    maxEnrichLag = Math.max(maxEnrichLag, lag.of("enrich-service", "events.raw"));
                    maxAggregateLag = Math.max(maxAggregateLag, lag.of("aggregate-service", "events.enriched"));
                    if (System.nanoTime() > end - Duration.ofSeconds(durationSeconds / 2).toNanos() && memory.isEmpty()) {
                        memory = stats.sample();
                    }
                }
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new LoadResult(accepted.get(), accepted.get() / elapsed, latency, (int) (bytes.get() / Math.max(1, events.get())),
                tooMany.get() + " / " + unavailable.get() + " / " + other.get(), maxEnrichLag, maxAggregateLag, memory);
    }

    /** Waits until the facts hold at least {@code expected} events of the app today (0: until the count stops moving). */
    private Duration drain(JsonNode app, long expected) throws Exception {
        return drain(() -> storedToday(app), expected, Duration.ofMinutes(10));
    }

    /**
     * From the per-user rollup, which the batch writes in the raw store's transaction: the live quality figures it
     * polled before scan the day's raw events, 14 % of PostgreSQL's statement time in the max-rate run, a cost of the
     * observer that was counted as the write path's.
     */
    private long storedToday(JsonNode app) throws Exception {
        return post(query + "/v1/query", app.get("read_token").asText(), "{\"app\":\"" + app.get("app").asText()
                + "\",\"metrics\":[\"events\"],\"date_range\":\"today\"}").at("/results/0/metrics/0").asLong();
    }

    private long storedInLast30Days(JsonNode app) throws Exception {
        return post(query + "/v1/query", app.get("read_token").asText(), "{\"app\":\"" + app.get("app").asText()
                + "\",\"metrics\":[\"events\"],\"date_range\":\"30d\"}").at("/results/0/metrics/0").asLong();
    }

    private Duration drain(Callable<Long> stored, long expected, Duration timeout) throws Exception {
        long start = System.nanoTime();
        long previous = -1;
        while (true) {
            long now = stored.call();
            if ((expected > 0 && now >= expected) || (expected == 0 && now == previous && now > 0)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            previous = now;
            if (System.nanoTime() - start > timeout.toNanos()) {
                throw new IllegalStateException("facts did not catch up within " + timeout + ": " + now + " of " + expected);
            }
            Thread.sleep(500);
        }
    }

    /**
     * Issue 6 at scale: {@code events} events stamped over the last 30 days, sent through ingest as fast as it
     * accepts them, then the query latencies on them. Replaces its own section of the results, keeps the rest.
     */
    private void queriesAtScale(Path results, long events) throws Exception {
        // the app and how its events were loaded outlive the run when the stack's data is kept (BENCH_KEEP_DATA=1)
        boolean copy = "copy".equals(env.get("BENCH_HISTORY_LOAD"));
        Path saved = Path.of(env.getOrDefault("PULSE_DATA_DIR", "deploy/local/data"), "bench-scale-" + (copy ? "copy-" : "") + events + ".json");
        ObjectNode scale;
        if (Files.exists(saved)) {
            scale = (ObjectNode) MAPPER.readTree(saved.toFile());
        } else {
            JsonNode app = createApp("bench-scale");
            long begin = System.nanoTime();
            scale = MAPPER.createObjectNode();
            scale.set("app", app);
            if (copy) {
                try (Connection db = rawStore()) {
                    scale.put("accepted", RawStoreLoader.load(db, app.get("app").asText(), events));
                    RawStoreLoader.buildState(db, app.get("app").asText());
                }
            } else {
                LoadResult loaded = load(app, 0, Integer.MAX_VALUE, null, events,
                        () -> Instant.now().minusSeconds(ThreadLocalRandom.current().nextLong(29L * 86_400)));
                drain(() -> storedInLast30Days(app), loaded.accepted(), Duration.ofHours(3));
                scale.put("accepted", loaded.accepted()).put("rate", loaded.acceptedPerSecond());
            }
            scale.put("minutes", (System.nanoTime() - begin) / 60e9).put("loaded", Instant.now().toString()).put("copy", copy);
            Files.writeString(saved, scale.toString());
        }
        String loadedOn = scale.get("loaded").asText().substring(0, 16).replace('T', ' ') + " UTC";
        String measuredOn = "Queries measured on %s.".formatted(Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC");
        String loadedBy = scale.path("copy").asBoolean()
                ? "Loaded by `BENCH_HISTORY_LOAD=copy BENCH_HISTORY_EVENTS=%d bench/run` on %s, same machine and stack: %,d events of the traffic model, "
                .formatted(events, loadedOn, scale.get("accepted").asLong()) + "stamped over the 29 days before, were written into the raw store "
                + "by COPY in the columns enrich-service fills, and the funnels' state, the per-user daily rollup (sessions included) and the posts' "
                + "and connections' daily facts built from them by migrations V25's, V26's and V39's functions, in %.1f minutes "
                .formatted(scale.get("minutes").asDouble()) + "(through the pipeline, 10M events take 90 minutes and more here: issue 15). " + measuredOn
                : "Loaded by `BENCH_HISTORY_EVENTS=%d bench/run` on %s, same machine and stack: %,d events stamped over the 30 days before "
                .formatted(events, loadedOn, scale.get("accepted").asLong())
                + "were sent through ingest as fast as it accepted them (%.0f events/s) and were all in the facts after %.1f minutes. "
                .formatted(scale.get("rate").asDouble(), scale.get("minutes").asDouble()) + measuredOn;
        // the dashboard's queries read the facts, which only the pipeline builds
        List<String> sections = List.of(env.getOrDefault("BENCH_SCALE_SECTIONS", scale.path("copy").asBoolean() ? "funnels" : "dashboard,funnels").split(","));
        if (sections.contains("dashboard")) {
            section("Query latency at scale (issue 6)");
            line(loadedBy, "");
            queryLatency(scale.get("app"), scale.get("accepted").asLong(), "spread over 30 days");
        }
        if (sections.contains("funnels")) {
            section("Funnels and sessions at scale (issue 18)");
            line(loadedBy, "");
            funnelsAndSessions(scale.get("app"), scale.get("accepted").asLong());
        }
        // each section measured now replaces its earlier version; the others stay
        Set<String> measured = report.stream().filter(l -> l.startsWith("## ")).collect(Collectors.toSet());
        List<String> kept = new ArrayList<>();
        boolean skipping = false;
        for (String l : Files.readAllLines(results)) {
            if (l.startsWith("## ")) {
                skipping = measured.contains(l);
            }
            if (!skipping) {
                kept.add(l);
            }
        }
        while (!kept.isEmpty() && kept.get(kept.size() - 1).isEmpty()) {
            kept.remove(kept.size() - 1);
        }
        kept.addAll(report);
        Files.write(results, kept);
        System.out.println(String.join("\n", report));
    }

    private void queryLatency(JsonNode app, long stored, String what) throws Exception {
        String id = app.get("app").asText();
        String token = app.get("read_token").asText();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        double stateSeconds = awaitDayState(id);
        Map<String, CpuAccounting.Usage> cpuBefore = cpuAccounting.sample();
        long timingStart = System.nanoTime();
        try (Connection db = rawStore(); DuckDbCopy duck = DuckDbCopy.of(db, id, Path.of("bench/target"))) {
            line("Data: %,d events of one app in the raw store (%s); aggregate's day state of its closed days was complete %.1f s after "
                    .formatted(stored, what, stateSeconds) + "the load. Each query: its first call, then "
                    + STEADY + "; the raw-SQL "
                    + "column runs the same answer as one statement over the raw store, through JDBC, 7 times after 2 warm-ups (once, when that "
                    + "first run took over 20 s); the DuckDB columns run the same statement, 7 times after 2 warm-ups, over a copy of the app's "
                    + "raw store (%,d rows, the columns the statements read) in an embedded in-memory DuckDB %s (exported and loaded in %.1f s), "
                    .formatted(duck.rows, duck.connection.getMetaData().getDatabaseProductVersion(), duck.loadSeconds)
                    + "in the benchmark's JVM on the same box, using every core; its first run is its cold figure (a fresh DuckDB has no cache to warm).", "");
            line("| query | first call (cold cache) | p50 | p99 | same answer by SQL over the raw store, p50 | ratio of p50s | DuckDB first run | DuckDB p50 "
                    + "| Pulse p50 ÷ DuckDB p50 | Pulse cold ÷ DuckDB first | calls 11–40, p50 / p99 |", "|---|---|---|---|---|---|---|---|---|---|---|");
            String timeSeries = "{\"app\":\"" + id + "\",\"metrics\":[\"active_users\",\"events\",\"views\",\"likes\",\"messages\"],\"date_range\":\"30d\",\"dimensions\":[\"time:day\"]}";
            // query-api's JVM warmed on the same shapes over a month without events, so that a first call measures an empty
            // cache rather than class loading and a cold JIT (DuckDB's first run has its own)
            for (String shape : List.of("\"dimensions\":[\"time:day\"]", "\"dimensions\":[\"user:country\"]", "\"dimensions\":[\"event:name\"]")) {
                for (int i = 0; i < 20; i++) {
                    post(query + "/v1/query", token, "{\"app\":\"" + id + "\",\"metrics\":[\"active_users\",\"events\",\"views\",\"likes\",\"messages\"],"
                            + "\"date_range\":[\"2020-01-01\",\"2020-01-30\"]," + shape + "}");
                }
            }
            String range = " FROM events WHERE app_id = ? AND event_date BETWEEN current_date - 29 AND current_date";
            timeQuery("30-day time:day, five metrics (target p99 < 20 ms)", () -> post(query + "/v1/query", token, timeSeries),
                    "SELECT event_date, count(DISTINCT user_id), count(*), count(*) FILTER (WHERE event = 'feed.view'), "
                            + "count(*) FILTER (WHERE event = 'feed.like'), count(*) FILTER (WHERE event = 'message.sent')" + range + " GROUP BY 1", id, duck);
            // issue 15: a 30-day breakdown by each SPEC §6 dimension (time:day is the series above), each against the raw store's column
            for (String[] dimension : new String[][] {{"user:country", "country", " (target p99 < 50 ms)"}, {"user:gender", "gender", ""},
                    {"user:age", "age", ""}, {"user:os", "user_os", ""}, {"user:source", "source", ""}, {"user:city", "city", ""},
                    {"user:exp_group", "exp_group", ""}, {"event:name", "event", ""}, {"event:category", "category", ""},
                    {"post:id", "post_id", ""}, {"content:id", "content_id", ""}, {"content:type", "content_type", ""},
                    {"page:host", "host", ""}, {"device", "device", ""}, {"time:week", "date_trunc('week', event_date)", ""},
                    {"time:month", "date_trunc('month', event_date)", ""}}) {
                String breakdown = "{\"app\":\"" + id + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":\"30d\",\"dimensions\":[\""
                        + dimension[0] + "\"]}";
                timeQuery("30-day breakdown by " + dimension[0] + ", active_users and events" + dimension[2],
                        () -> post(query + "/v1/query", token, breakdown),
                        "SELECT " + dimension[1] + ", count(DISTINCT user_id), count(*)" + range + " GROUP BY 1", id, duck);
            }
            // SPEC §5's distinct counts of posts, receivers and sender-receiver pairs, from the event rollup since V38
            String distinct = "{\"app\":\"" + id + "\",\"metrics\":[\"posts\",\"receivers\",\"connections\"],\"date_range\":\"30d\","
                    + "\"dimensions\":[\"time:day\"]}";
            timeQuery("30-day time:day, posts, receivers and connections", () -> post(query + "/v1/query", token, distinct),
                    "SELECT event_date, count(DISTINCT post_id), count(DISTINCT receiver_id) FILTER (WHERE event = 'message.sent'), "
                            + "count(DISTINCT user_id || '>' || receiver_id) FILTER (WHERE event = 'message.sent')" + range + " GROUP BY 1", id, duck);
            timeQuery("retention, 30 daily cohorts, horizon 7", () -> get(query + "/v1/retention?app=" + id + "&from=" + today.minusDays(29)
                    + "&to=" + today + "&period=day&horizon=7", token),
                    "WITH days AS (SELECT DISTINCT user_id, event_date FROM events WHERE app_id = ?),"
                            + " cohort AS (SELECT user_id, min(event_date) AS c FROM days GROUP BY 1)"
                            + " SELECT c.c, d.event_date - c.c, count(*) FROM cohort c JOIN days d USING (user_id)"
                            + " WHERE c.c BETWEEN current_date - 29 AND current_date AND d.event_date - c.c BETWEEN 0 AND 7 GROUP BY 1, 2", id, duck);
            timeQuery("realtime, 30 minutes", () -> get(query + "/v1/realtime?app=" + id + "&minutes=30", token), null, id, duck);
        }
        Map<String, CpuAccounting.Usage> used = CpuAccounting.between(cpuBefore, cpuAccounting.sample());
        // the load generator's is the raw SQL's and DuckDB's; the stack's other parts should be near idle, or they slowed these answers
        line("", "CPU used while the table was timed (%.1f s; the load generator's is mostly DuckDB's): %s.".formatted((System.nanoTime() - timingStart) / 1e9,
                used.entrySet().stream().map(e -> "%s %.1f s (JIT %.1f)".formatted(e.getKey(), e.getValue().total().toMillis() / 1000.0,
                        e.getValue().jit().toMillis() / 1000.0)).collect(Collectors.joining(", "))));
        line("", "Time- and user-dimensioned queries and retention read the per-user daily rollup fact_user_daily, breakdowns by event:name, "
                + "event:category, post:id, content:id, content:type, page:host and device the per-user event rollup fact_user_event_daily "
                + "(post and content ids since V37); all answers are exact. A query whose first call took over 5 s is timed 5 times after one warm-up and left out "
                + "of the churn table. Over the closed "
                + "days, the series, the breakdowns and retention read aggregate's day state (per day and value, the users' bitmaps and sums), "
                + "today its state of the day not over yet (the day's base and the batches' shares since). The warm-ups fill the closed-day cache; the first call of each meets an empty cache.");
        lateEventChurn(app);
    }

    /**
     * The timed dashboard calls again while late events arrive for random closed days of the 30 at 10 per second: each
     * makes its day's cached answers and its day state stale until aggregate has built it again.
     */
    private void lateEventChurn(JsonNode app) throws Exception {
        String writeKey = app.get("write_key").asText();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        AtomicLong sent = new AtomicLong();
        java.util.concurrent.ScheduledExecutorService late = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        late.scheduleAtFixedRate(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String event = "[{\"event\":\"level.up\",\"user_id\":\"" + random.nextInt(10_000) + "\",\"timestamp\":\""
                    + today.minusDays(2 + random.nextInt(28)).atTime(random.nextInt(24), random.nextInt(60)) + "Z\"}]";
            try {
                post(ingest + "/v1/events", writeKey, event);
                sent.incrementAndGet();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            // a minute of churn first, so the state and the cache meet it as they would all day
            Thread.sleep(60_000);
            line("", "Under late-event churn: the same calls (" + STEADY + ") while late events (`level.up` of a random user, at a "
                    + "random time of a random closed day of the 30) arrive through ingest at 10 per second, after a minute of them:", "",
                    "| query | p50 | p99 | calls 11–40, p50 / p99 |", "|---|---|---|---|");
            for (Map.Entry<String, Call> call : dashboardCalls) {
                Steady p = steady(call.getValue());
                line("| %s | %.1f ms | %.1f ms | %s |".formatted(call.getKey(), p.timed().millis(50), p.timed().millis(99), p.early()));
            }
        } finally {
            late.shutdownNow();
        }
        line("", "%,d late events were sent during the churn.".formatted(sent.get()));
    }

    /**
     * Issue 18 at scale: a 4-step funnel (state user_event_times) and the session metrics (kept on the per-user daily
     * rollup, V26), each against SQL over the raw store.
     */
    private void funnelsAndSessions(JsonNode app, long stored) throws Exception {
        String id = app.get("app").asText();
        String token = app.get("read_token").asText();
        line("Data: %,d events of one app (spread over 30 days). Each query 30 times after 10 warm-ups (the funnel's answer is not cached: every call "
                .formatted(stored) + "reads the open weeks' state, query-api holds the closed weeks'; the session metrics go through the closed-day cache like every rollup query); "
                + "the raw-SQL column times one statement over the raw store through JDBC, as above.", "");
        line("| query | first call | p50 | p99 | SQL over the raw store, p50 | ratio of p50s |", "|---|---|---|---|---|---|");
        String funnel = "{\"app\":\"" + id + "\",\"steps\":[{\"event\":\"signup\"},{\"event\":\"feed.view\"},{\"event\":\"feed.like\"},"
                + "{\"event\":\"purchase\"}],\"window\":\"1d\",\"date_range\":\"30d\"}";
        timeQuery("funnel, 4 steps, 30 days, window 1 day (target p99 ≤ 300 ms)", answered(() -> post(query + "/v1/funnel", token, funnel)),
                "SELECT e.user_id, array_agg(e.ts ORDER BY e.ts, e.event_id), array_agg(e.mask ORDER BY e.ts, e.event_id) FROM ("
                        + " SELECT user_id, event_id, extract(epoch FROM event_ts)::float8 AS ts, CASE event WHEN 'signup' THEN"
                        + " CASE WHEN event_date <= current_date THEN 1 ELSE 0 END WHEN 'feed.view' THEN 2 WHEN 'feed.like' THEN 4 ELSE 8 END AS mask"
                        + " FROM events WHERE app_id = ? AND event_date BETWEEN current_date - 29 AND current_date + 2"
                        + " AND event IN ('signup', 'feed.view', 'feed.like', 'purchase')) e GROUP BY e.user_id", id);
        String sessions = "{\"app\":\"" + id + "\",\"metrics\":[\"sessions\",\"sessions_per_user\",\"avg_session_seconds\",\"bounce_rate\"],"
                + "\"date_range\":\"30d\",\"dimensions\":[\"time:day\"]}";
        // every generated event has a session_id, so a session is one user's events of a day with one session_id
        timeQuery("30-day time:day, sessions, sessions_per_user, avg_session_seconds, bounce_rate", answered(() -> post(query + "/v1/query", token, sessions)),
                "SELECT event_date, count(*), round(count(*)::numeric / count(DISTINCT user_id), 4), avg(seconds), avg((n = 1)::int) FROM ("
                        + " SELECT event_date, user_id, session_id, count(*) AS n, extract(epoch FROM max(event_ts) - min(event_ts)) AS seconds"
                        + " FROM events WHERE app_id = ? AND event_date BETWEEN current_date - 29 AND current_date GROUP BY 1, 2, 3) s GROUP BY 1", id);
        line("", "The funnel reads user_event_times: per user, event name and week the event times, 8 bytes each (built here from the "
                + "raw store, so ascending; batches append theirs unsorted, V41), decoded, sorted and searched in query-api; the raw-SQL column is the statement that read the same steps' events from the raw store before "
                + "(one row per user with its times and step masks; the search in Java comes on top of it). The session metrics sum the "
                + "sessions, bounces and seconds aggregate-service keeps per user-day on the rollup (the first call reads every day's rows, "
                + "later ones only today's and the cached days' partials).");
    }

    /** A call that fails unless the API answered with results, so an error is never timed as an answer. */
    private static Call answered(Call call) {
        return () -> {
            JsonNode answer = call.run();
            if (!answer.has("results")) {
                throw new IllegalStateException("no answer: " + answer);
            }
            return answer;
        };
    }

    /**
     * Waits until aggregate has built the day state (V33) of every closed day of the 30 from the app's first (as its job
     * does) under their current versions, and today's base (V34), as a dashboard opened a while after the events came in finds them: the seconds that took.
     */
    private double awaitDayState(String app) throws Exception {
        long start = System.nanoTime();
        try (Connection db = rawStore(); PreparedStatement missing = db.prepareStatement("""
                SELECT (SELECT count(*) FROM generate_series(greatest(current_date - 29,
                                (SELECT min(f.first_date) FROM user_first_seen f WHERE f.app_id = ?)), current_date - 2, interval '1 day') AS d
                        WHERE NOT EXISTS (SELECT 1 FROM day_state s WHERE s.app_id = ? AND s.event_date = d::date
                            AND s.app_version = coalesce((SELECT version FROM closed_day_versions v WHERE v.app_id = s.app_id), 0)
                            AND s.day_version = coalesce((SELECT version FROM closed_day_changes c WHERE c.app_id = s.app_id AND c.event_date = s.event_date), 0)))
                     + (SELECT count(*) FROM (SELECT 1) AS one WHERE NOT EXISTS (SELECT 1 FROM open_day_state o WHERE o.app_id = ?
                            AND o.event_date = current_date AND o.app_version = coalesce((SELECT version FROM closed_day_versions v WHERE v.app_id = o.app_id), 0)))""")) {
            missing.setString(1, app);
            missing.setString(2, app);
            missing.setString(3, app);
            while (true) {
                try (ResultSet rs = missing.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return (System.nanoTime() - start) / 1e9;
                    }
                }
                if (System.nanoTime() - start > Duration.ofHours(1).toNanos()) {
                    throw new IllegalStateException("the day state of app " + app + " was not built within an hour");
                }
                Thread.sleep(1000);
            }
        }
    }

    private interface Call {
        JsonNode run() throws Exception;
    }

    /** The API call, and when given the same answer by plain SQL over the raw store, each timed after warm-ups. */
    private void timeQuery(String name, Call call, String rawSql, String app) throws Exception {
        timeQuery(name, call, rawSql, app, null);
    }

    /** ... and, with {@code duck}, the same statement over its copy of the raw store (the table's three DuckDB columns). */
    private void timeQuery(String name, Call call, String rawSql, String app, DuckDbCopy duck) throws Exception {
        long start = System.nanoTime();
        String cold;
        double coldMillis = 0;
        Percentiles api = null;
        String early = "–";
        try {
            call.run();
            coldMillis = (System.nanoTime() - start) / 1e6;
            cold = "%.1f ms".formatted(coldMillis);
            if (duck != null && coldMillis <= SLOW_MILLIS) {
                dashboardCalls.add(Map.entry(name, call));
            }
            if (coldMillis > SLOW_MILLIS) {
                // an answer that takes seconds is timed a few times: 300 calls of it would take the run's hour
                api = time(call, 1, 5);
            } else if (duck != null) {
                Steady steady = steady(call);
                api = steady.timed();
                early = steady.early();
            } else {
                api = time(call);
            }
        } catch (IllegalStateException e) {
            // a refused question (over the statement timeout, say) is reported with the raw SQL's time, not timed
            cold = "no answer after %.1f ms: %s".formatted((System.nanoTime() - start) / 1e6, e.getMessage().replace('|', '/'));
        }
        String duckColumns = "";
        if (duck != null) {
            Timed ducked = rawSql == null ? null : statementMillis(duck.connection, rawSql, app);
            duckColumns = ducked == null ? " – | – | – | – |" : api == null
                    ? " %.1f ms | %.1f ms | – | – |".formatted(ducked.firstMillis(), ducked.p50Millis())
                    : " %.1f ms | %.1f ms | %.2f | %.2f |".formatted(ducked.firstMillis(), ducked.p50Millis(), api.millis(50) / ducked.p50Millis(),
                            coldMillis / ducked.firstMillis());
            duckColumns += " " + early + " |";
        }
        if (api == null) {
            line("| %s | %s | – | – | %s | – |".formatted(name, cold, rawSql == null ? "–" : "%.1f ms".formatted(rawMillis(rawSql, app))) + duckColumns);
            return;
        }
        if (rawSql == null) {
            line("| %s | %s | %.1f ms | %.1f ms | – | – |".formatted(name, cold, api.millis(50), api.millis(99)) + duckColumns);
            return;
        }
        double raw = rawMillis(rawSql, app);
        line("| %s | %s | %.1f ms | %.1f ms | %.1f ms | %.1f× |".formatted(name, cold, api.millis(50), api.millis(99), raw, raw / api.millis(50)) + duckColumns);
    }

    /** A statement's first run and its p50 (its one run when that took over 20 s). */
    private record Timed(double firstMillis, double p50Millis) {
    }

    /** The p50 of the statement over the raw store (its one run when that took over 20 s). */
    private double rawMillis(String rawSql, String app) throws Exception {
        try (Connection db = rawStore()) {
            return statementMillis(db, rawSql, app).p50Millis();
        }
    }

    private static Timed statementMillis(Connection db, String sql, String app) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, app);
            Call rawCall = () -> {
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        rows.getObject(1);
                    }
                }
                return null;
            };
            // seconds to minutes each at scale: a statement that takes over 20 s once is timed that once
            long first = System.nanoTime();
            rawCall.run();
            long firstMicros = (System.nanoTime() - first) / 1000;
            Percentiles raw;
            if (firstMicros > 20_000_000) {
                raw = new Percentiles();
                raw.add(firstMicros);
            } else {
                raw = time(rawCall, 1, 7);
            }
            return new Timed(firstMicros / 1000.0, raw.millis(50));
        }
    }

    /** A statement's first words, enough to tell which it is, fit for a table cell. */
    private static String abbreviated(String statement) {
        String cell = statement.replace("|", "\\|").replace("`", "'");
        return cell.length() <= 110 ? cell : cell.substring(0, 110) + "…";
    }

    /** The stack's PostgreSQL, as the owner. */
    private Connection rawStore() throws SQLException {
        return DriverManager.getConnection(env.getOrDefault("PG_JDBC_URL", "jdbc:postgresql://127.0.0.1:5433/pulse"),
                env.getOrDefault("PG_USER", "postgres"), env.getOrDefault("PG_PASSWORD", "postgres"));
    }

    private static Percentiles time(Call call) throws Exception {
        return time(call, 10, 30);
    }

    /* the JIT compiles query-api's hot paths over its first few hundred answers, which a dashboard's server has long done; and a p99 of 30 samples is their maximum */
    /** A first call slower than this is timed 5 times after one warm-up, without the calls 11–40 column. */
    static final double SLOW_MILLIS = 5_000;
    static final String STEADY = "10 warm-ups and 30 timed calls (the last column, as the sections before 2026-12-05 measured), then 160 "
            + "untimed and 100 timed, whose p50 and p99 are the table's";

    /** A dashboard call's figures once query-api is compiled, and those of calls 11–40 as earlier sections measured them. */
    private record Steady(Percentiles timed, String early) {
    }

    private static Steady steady(Call call) throws Exception {
        Percentiles first = time(call, 10, 30);
        Percentiles timed = time(call, 160, 100);
        return new Steady(timed, "%.1f / %.1f ms".formatted(first.millis(50), first.millis(99)));
    }

    private static Percentiles time(Call call, int warmUps, int runs) throws Exception {
        for (int i = 0; i < warmUps; i++) {
            call.run();
        }
        Percentiles p = new Percentiles();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            call.run();
            p.add((System.nanoTime() - start) / 1000);
        }
        return p;
    }

    private static String perCpuSecond(long events, Duration cpu) {
        return cpu.isZero() ? "–" : "%.0f".formatted(events / (cpu.toMillis() / 1000.0));
    }

    private JsonNode createApp(String prefix) throws Exception {
        String name = prefix + "-" + System.currentTimeMillis() % 100_000;
        JsonNode created = post(ingest + "/v1/admin/apps", adminToken, "{\"app\":\"" + name + "\"}");
        if (!created.has("write_key")) {
            throw new IllegalStateException("could not create app: " + created);
        }
        return created;
    }

    private JsonNode post(String url, String token, String body) throws IOException, InterruptedException {
        return MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private JsonNode get(String url, String token) throws IOException, InterruptedException {
        return MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private void section(String title) {
        report.add("");
        report.add("## " + title);
        report.add("");
    }

    /** A percentile a Micrometer timer publishes in Prometheus' text format. */
    private static double quantile(String metrics, String name, String quantile) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("quantile=\"" + quantile + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + name + " quantile " + quantile + " in the metrics"));
    }

    /** Lines of the report; an empty one separates a paragraph from a table. */
    private void line(String... lines) {
        report.addAll(List.of(lines));
    }

    private void write(Path results) throws IOException, SQLException {
        String settings;
        try (Connection db = rawStore(); var s = db.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT string_agg(name || ' ' || current_setting(name), ', ' ORDER BY name) FROM pg_settings
                WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_wal_size')""")) {
            rs.next();
            settings = rs.getString(1);
        }
        List<String> out = new ArrayList<>();
        out.add("# Benchmark results");
        out.add("");
        out.add("Run by `bench/run` on %s: %d cores, %.0f GiB, %s %s, Java %s. Stack: deploy/local (single-node Kafka, "
                .formatted(Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC", Runtime.getRuntime().availableProcessors(),
                        Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                                .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024).orElse(0.0),
                        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"))
                + "embedded PostgreSQL 17 (" + settings + ") and Redis 6.2, the four services at -Xmx256m), everything on the same machine as the load. "
                + "Each phase runs " + seconds + " s, after " + warmupSeconds + " s of load at the maximum rate on an app of its own "
                + "(then drained), which the figures leave out: most of the services' JIT compilation of their hot paths (the CPU table "
                + "shows what their compiler threads still used).");
        out.addAll(report);
        Files.write(results, out);
        System.out.println(String.join("\n", out));
    }
}
