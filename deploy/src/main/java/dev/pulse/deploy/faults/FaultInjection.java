package dev.pulse.deploy.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.bench.generator.ExpectedMetrics;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficGenerator;
import dev.pulse.deploy.local.Service;
import dev.pulse.deploy.local.Stack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench/fault-injection}: generated traffic at a fixed rate while each service in turn is SIGKILLed and
 * restarted, then the Kafka broker and PostgreSQL are restarted; at the end the stored events must equal the
 * distinct events ingest accepted, and every daily metric the generator's own computation. Reports events lost
 * and double-counted (both must be 0) and appends the report to the results file.
 */
public final class FaultInjection {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private FaultInjection() {
    }

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md");
        double rate = Double.parseDouble(System.getenv().getOrDefault("FAULT_EVENTS_PER_SECOND", "300"));
        int pause = Integer.parseInt(System.getenv().getOrDefault("FAULT_PAUSE_SECONDS", "10"));
        // FAULT_REPLICAS=2: two instances of each service; traffic goes to both ingest instances, the second of each
        // service is the one killed, so the first carries on through the rebalance
        int replicas = Integer.parseInt(System.getenv().getOrDefault("FAULT_REPLICAS", "1"));
        Stack.Options options = new Stack.Options(Files.createTempDirectory("pulse-faults"), Path.of(".").toAbsolutePath().normalize(),
                new int[7], null, null, null, "fault-admin", 6, replicas, Map.of());
        List<String> log = new ArrayList<>();
        try (Stack stack = Stack.start(options)) {
            JsonNode app = post(stack.service("ingest-service").url() + "/v1/admin/apps", "fault-admin", "{\"app\":\"faults\"}");
            long total = (long) (rate * pause * 8);
            GeneratorConfig config = new GeneratorConfig(99, 1_000, rate, total, 50, 0.05, 0.01, 0.02, 0.1);
            TrafficGenerator generator = new TrafficGenerator(new IngestClient(
                    stack.instances("ingest-service").stream().map(Service::url).toList(), app.get("write_key").asText()), config);
            Thread traffic = Thread.ofPlatform().start(generator);
            // a second app sends every kind of poison the whole time: the first app's figures must not notice
            JsonNode hostileApp = post(stack.service("ingest-service").url() + "/v1/admin/apps", "fault-admin", "{\"app\":\"hostile\"}");
            HostileTenant hostile = new HostileTenant(stack.service("ingest-service").url(), stack.service("query-api").url(),
                    "hostile", hostileApp.get("write_key").asText(), hostileApp.get("read_token").asText());
            Thread hostileTraffic = Thread.ofPlatform().start(hostile);
            List<String> work = new ArrayList<>();
            for (String service : Stack.SERVICES) {
                Thread.sleep(pause * 1000L);
                Instant at = Instant.now();
                Service victim = stack.instances(service).getLast();
                if (replicas > 1) {
                    work.add(workRow(victim, "until killed"));
                }
                victim.restart(Duration.ofMinutes(3));
                log.add("| SIGKILL + restart " + victim.name() + " | " + Duration.between(at, Instant.now()).toMillis() + " ms until ready |");
            }
            Thread.sleep(pause * 1000L);
            Instant at = Instant.now();
            stack.restartBroker(options);
            log.add("| SIGKILL + restart Kafka broker | " + Duration.between(at, Instant.now()).toMillis() + " ms until listening |");
            Thread.sleep(pause * 1000L);
            at = Instant.now();
            stack.restartDatabase(options);
            log.add("| stop + start PostgreSQL | " + Duration.between(at, Instant.now()).toMillis() + " ms |");
            traffic.join();

            hostile.stop();
            hostileTraffic.join();
            if (replicas > 1) {
                for (String service : Stack.SERVICES) {
                    for (Service instance : stack.instances(service)) {
                        work.add(workRow(instance, instance == stack.instances(service).getLast() ? "since its restart" : "whole run"));
                    }
                }
            }

            Set<String> accepted = generator.acceptedIds();
            String query = stack.service("query-api").url() + "/v1/query";
            long stored = settledEvents(query, "faults", app.get("read_token").asText(), accepted.size());
            long lost = Math.max(0, accepted.size() - stored);
            long doubled = Math.max(0, stored - accepted.size());
            long hostileStored = settledEvents(query, "hostile", hostileApp.get("read_token").asText(), hostile.acceptedIds().size());
            JsonNode hostileQuality = get(stack.service("query-api").url() + "/v1/quality?app=hostile", hostileApp.get("read_token").asText());
            List<String> mismatches = DailyMetricsCheck.mismatches(post(query, app.get("read_token").asText(),
                    DailyMetricsCheck.query("faults")).get("results"), generator.expectedDaily(ZoneOffset.UTC));
            List<String> report = new ArrayList<>(List.of("", replicas == 1 ? "## Fault injection (issues 8, 13)"
                            : "## Fault injection, " + replicas + " instances of each service (issue 19)", "",
                    "Run by `bench/fault-injection` on " + Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC: "
                            + "generator at %.0f events/s (5 %% resent batches, 1 %% invalid, 2 %% late, 10 %% skewed clocks), %,d events sent; "
                            .formatted(rate, generator.sent())
                            + "a fault every " + pause + " s.", "", "| fault | recovery |", "|---|---|"));
            report.addAll(log);
            if (replicas > 1) {
                report.addAll(List.of("", "Work per instance (events accepted by ingest, enriched, stored by aggregate; queries are not counted) "
                        + "and the longest consumer-group rebalance each instance's consumers saw (Kafka client metric):", "",
                        "| instance | period | events | longest rebalance |", "|---|---|---|---|"));
                report.addAll(work);
            }
            report.addAll(List.of("", "Hostile tenant: the app `hostile` sent each kind of poison below in turn, each followed by one "
                    + "valid event of its own, from the start of the traffic to its end (so through every fault); `unreachable` "
                    + "counts requests made while the service was being restarted.", "", "| poison | answers |", "|---|---|"));
            report.addAll(hostile.reportRows());
            report.addAll(List.of("", "| hostile tenant outcome | value |", "|---|---|",
                    "| 5xx answers to poison | %s |".formatted(hostile.serverErrors().isEmpty() ? "none" : hostile.serverErrors()),
                    "| its valid events accepted (202) / counted by query-api | %,d / %,d |".formatted(hostile.acceptedIds().size(), hostileStored),
                    "| its rejections today by reason (`/v1/quality`) | %s |".formatted(hostileQuality.get("rejected_by_reason"))));
            report.addAll(List.of("", "| outcome | value |", "|---|---|",
                    "| distinct events accepted (202) | %,d |".formatted(accepted.size()),
                    "| events counted by query-api | %,d |".formatted(stored),
                    "| **events lost** | **%d** |".formatted(lost),
                    "| **events double-counted** | **%d** |".formatted(doubled),
                    "| daily metrics (%d) compared with the generator's own computation, mismatches | %s |"
                            .formatted(ExpectedMetrics.METRICS.length, mismatches.isEmpty() ? "none" : String.join("; ", mismatches))));
            Files.write(results, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println(String.join("\n", report));
            if (lost != 0 || doubled != 0 || !mismatches.isEmpty() || !hostile.serverErrors().isEmpty()
                    || hostileStored != hostile.acceptedIds().size()) {
                System.exit(1);
            }
        }
    }

    /**
     * The app's event count over the last 7 days once it has reached {@code expected} or stopped moving for 90 s
     * (so a loss shows as a shortfall rather than a hang).
     */
    private static long settledEvents(String query, String app, String readToken, long expected) throws Exception {
        String body = "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\"}";
        long stored = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            long now = post(query, readToken, body).at("/results/0/metrics/0").asLong();
            if (now != stored) {
                stored = now;
                stableSince = System.nanoTime();
            } else if (stored >= expected || System.nanoTime() - stableSince > Duration.ofSeconds(90).toNanos()) {
                break;
            }
            Thread.sleep(1000);
        }
        return stored;
    }

    /** Events per metric of the service's own stage. */
    private static final Map<String, String> WORK = Map.of("ingest-service", "pulse_ingest_events_accepted_total",
            "enrich-service", "pulse_enrich_events_enriched_total", "aggregate-service", "pulse_aggregate_events_stored_total",
            "query-api", "");

    private static String workRow(Service instance, String period) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(instance.url() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String base = instance.name().replaceFirst("-\\d+$", "");
        String counter = WORK.get(base);
        return "| %s | %s | %s | %,.0f ms |".formatted(instance.name(), period,
                counter.isEmpty() ? "–" : "%,.0f".formatted(values(metrics, counter).sum()),
                values(metrics, "kafka_consumer_coordinator_rebalance_latency_max").max().orElse(0));
    }

    /** The values of every series of {@code metric} in a Prometheus exposition (NaN left out). */
    private static java.util.stream.DoubleStream values(String exposition, String metric) {
        return exposition.lines().filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).filter(v -> !Double.isNaN(v));
    }

    private static JsonNode get(String url, String token) throws Exception {
        return MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode post(String url, String token, String body) throws Exception {
        return MAPPER.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
