package dev.pulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.bench.generator.GeneratorConfig;
import dev.pulse.bench.generator.IngestClient;
import dev.pulse.bench.generator.TrafficModel;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two builds of ingest-service side by side on one stack, loaded in turn (A B B A, so that a machine getting faster
 * or slower during the run weighs on both alike), each one's CPU per accepted event read from /proc: a change to
 * ingest measured apart from the spread between whole standard runs on this box.
 * <p>
 * Arguments: A's URL, B's URL, A's pid, B's pid, seconds per round, rounds per build, and rounds per build left out
 * first (the JIT of both builds and of this generator, in the same order). Both must share the stack's
 * PostgreSQL (the app is created through A), and their rate limit must not be in the way
 * (PULSE_INGEST_RATE_LIMIT_EVENTS_PER_SECOND). Load as in {@code Benchmarks}: 8 clients, batches of 100.
 */
public final class IngestAb {
    private IngestAb() {
    }

    public static void main(String[] args) throws Exception {
        List<String> urls = List.of(args[0], args[1]);
        List<Long> pids = List.of(Long.parseLong(args[2]), Long.parseLong(args[3]));
        int seconds = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        String writeKey = createApp(urls.getFirst());
        long[] ticks = new long[2];
        long[] events = new long[2];
        for (int round = 0; round < 2 * (warmup + rounds); round++) {
            int build = (round + 1) / 2 % 2;
            long before = cpuTicks(pids.get(build));
            long accepted = load(urls.get(build), writeKey, seconds);
            long used = cpuTicks(pids.get(build)) - before;
            if (round >= 2 * warmup) {
                ticks[build] += used;
                events[build] += accepted;
            }
            System.out.printf("round %d, %s: %d events, %.1f CPU-s, %.0f events per CPU-second%n", round, build == 0 ? "A" : "B",
                    accepted, (double) used / ProcStat.TICKS_PER_SECOND, accepted * (double) ProcStat.TICKS_PER_SECOND / used);
        }
        System.out.printf("A %.0f, B %.0f events per CPU-second over the last %d rounds of each%n", events[0] * (double) ProcStat.TICKS_PER_SECOND / ticks[0],
                events[1] * (double) ProcStat.TICKS_PER_SECOND / ticks[1], rounds);
    }

    private static String createApp(String url) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/admin/apps"))
                .header("Authorization", "Bearer " + System.getenv().getOrDefault("PULSE_ADMIN_TOKEN", "local-admin-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"app\":\"ab-" + System.currentTimeMillis() % 100_000 + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return new ObjectMapper().readTree(body).get("write_key").asText();
    }

    /** @return the events accepted in {@code seconds} of load as fast as accepted */
    private static long load(String url, String writeKey, int seconds) throws InterruptedException {
        IngestClient client = new IngestClient(url, writeKey);
        AtomicLong accepted = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            long seed = 1000L * c + System.nanoTime();
            threads.add(Thread.ofPlatform().start(() -> {
                TrafficModel model = new TrafficModel(new GeneratorConfig(seed, 10_000, 0, 0, 100, 0, 0, 0, 0));
                try {
                    while (System.nanoTime() < end) {
                        IngestClient.Result result = client.send(Map.of("batch", model.batch(100, Instant.now())), Duration.ZERO);
                        if (result.status() == 202) {
                            accepted.addAndGet(result.accepted());
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return accepted.get();
    }

    /** utime + stime of the process, in clock ticks. */
    private static long cpuTicks(long pid) throws Exception {
        return ProcStat.read(Path.of("/proc/" + pid + "/stat")).ticks();
    }
}
