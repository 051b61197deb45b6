package dev.pulse.deploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficGenerator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code deploy/local/run}: starts the stack, creates the app {@code demo}, prints its keys and the URLs, and
 * feeds it generated traffic until Ctrl-C. Every setting comes from the environment (see README).
 */
public final class LocalStack {
    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Path repository = Path.of(env.getOrDefault("PULSE_HOME", ".")).toAbsolutePath().normalize();
        Stack.Options options = new Stack.Options(
                Path.of(env.getOrDefault("PULSE_DATA_DIR", repository.resolve("deploy/local/data").toString())),
                repository,
                new int[] {port(env, "PULSE_KAFKA_PORT", 9092), port(env, "PULSE_PG_PORT", 5433), port(env, "PULSE_REDIS_PORT", 6380),
                    port(env, "INGEST_PORT", 8081), port(env, "ENRICH_PORT", 8082), port(env, "AGGREGATE_PORT", 8083),
                    port(env, "QUERY_PORT", 8084)},
                env.get("KAFKA_BOOTSTRAP_SERVERS"), env.get("PG_URL"), env.get("REDIS_URL"),
                env.getOrDefault("PULSE_ADMIN_TOKEN", "local-admin-token"),
                Integer.parseInt(env.getOrDefault("PULSE_TOPIC_PARTITIONS", "6")),
                Integer.parseInt(env.getOrDefault("PULSE_REPLICAS", "1")), Map.of());
        long begin = System.nanoTime();
        System.out.println("Starting Pulse (data in " + options.dataDir() + ") ...");
        Stack stack = Stack.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        TrafficGenerator[] generator = new TrafficGenerator[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Pulse ...");
            if (generator[0] != null) {
                generator[0].stop();
            }
            try {
                stack.close();
            } catch (Exception e) {
                System.err.println("stopping failed: " + e);
            }
            stopped.countDown();
        }));
        System.out.printf("All four services ready in %.1f s%n", (System.nanoTime() - begin) / 1e9);
        for (String name : Stack.SERVICES) {
            for (Service s : stack.instances(name)) {
                System.out.printf("  %-20s %s  (ready in %.1f s; health %s/q/health/ready, metrics %s/q/metrics, OpenAPI %s/q/openapi)%n",
                        s.name(), s.url(), s.startupTime().toMillis() / 1000.0, s.url(), s.url(), s.url());
            }
        }
        JsonNode keys = demoApp(stack.service("ingest-service").url(), options.adminToken());
        String writeKey = keys.get("write_key").asText();
        String readToken = keys.get("read_token").asText();
        String query = stack.service("query-api").url();
        System.out.println("\nApp 'demo' (timezone " + keys.get("timezone").asText() + ")");
        System.out.println("  write key:  " + writeKey);
        System.out.println("  read token: " + readToken);
        System.out.println("  dashboard:  " + query + "/  (sign in with app demo and the read token)");
        System.out.println("\nTry:");
        System.out.println("  curl -s -H 'Authorization: Bearer " + readToken + "' -H 'Content-Type: application/json' \\\n"
                + "    -d '{\"app\":\"demo\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":\"7d\",\"dimensions\":[\"time:day\"]}' "
                + query + "/v1/query");
        System.out.println("  curl -s -H 'Authorization: Bearer " + readToken + "' '" + query + "/v1/realtime?app=demo&minutes=30'");

        GeneratorConfig demo = GeneratorConfig.demo();
        double rate = Double.parseDouble(env.getOrDefault("DEMO_EVENTS_PER_SECOND", String.valueOf(demo.eventsPerSecond())));
        if (rate <= 0) {
            System.out.println("\nNo demo traffic (DEMO_EVENTS_PER_SECOND=0). Ctrl-C stops everything.");
            stopped.await();
            return;
        }
        GeneratorConfig config = new GeneratorConfig(System.nanoTime(), demo.users(), rate, 0, demo.batchSize(),
                demo.duplicateRate(), demo.invalidRate(), demo.lateRate(), demo.skewRate());
        generator[0] = new TrafficGenerator(new IngestClient(stack.instances("ingest-service").stream().map(Service::url).toList(), writeKey), config);
        generator[0].publishCatalog();
        Thread traffic = new Thread(generator[0], "demo-traffic");
        traffic.setDaemon(true);
        traffic.start();
        System.out.printf("%nFeeding demo traffic at %.0f events/s. Ctrl-C stops everything; data stays in %s.%n", rate, options.dataDir());
        stopped.await();
    }

    /** Creates the demo app, or rotates its keys when it exists from an earlier run (keys are only shown once). */
    private static JsonNode demoApp(String ingest, String adminToken) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(ingest + "/v1/admin/apps"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"app\":\"demo\",\"timezone\":\"UTC\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> keys = created.statusCode() != 409 ? created : http.send(HttpRequest.newBuilder(
                        URI.create(ingest + "/v1/admin/apps/demo/rotate")).header("Authorization", "Bearer " + adminToken)
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (keys.statusCode() / 100 != 2) {
            throw new IllegalStateException("could not create the demo app: " + keys.statusCode() + " " + keys.body());
        }
        return new ObjectMapper().readTree(keys.body());
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        return Integer.parseInt(env.getOrDefault(name, String.valueOf(fallback)));
    }
}
