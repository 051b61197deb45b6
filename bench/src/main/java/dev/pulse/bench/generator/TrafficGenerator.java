package dev.pulse.bench.generator;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends {@link TrafficModel} traffic to ingest-service at a target rate until stopped or done.
 * Usage: {@code TrafficGenerator <ingest-url> <write-key> [events/s] [total events] [seed] [dataset dir]}: with a
 * dataset dir it writes the accepted events and their expected metrics there when done.
 */
public final class TrafficGenerator implements Runnable {
    private final IngestClient client;
    private final GeneratorConfig config;
    private final AtomicLong sent = new AtomicLong();
    /** Accepted events by id, with the true time of each (before any client clock skew). */
    private final Map<String, Map<String, Object>> acceptedEvents = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    public TrafficGenerator(IngestClient client, GeneratorConfig config) {
        this.client = client;
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TrafficGenerator <ingest-url> <write-key> [events/s] [total events] [seed] [dataset dir]");
            System.exit(2);
        }
        GeneratorConfig demo = GeneratorConfig.demo();
        GeneratorConfig config = new GeneratorConfig(args.length > 4 ? Long.parseLong(args[4]) : demo.seed(), demo.users(),
                args.length > 2 ? Double.parseDouble(args[2]) : demo.eventsPerSecond(), args.length > 3 ? Long.parseLong(args[3]) : 0,
                demo.batchSize(), demo.duplicateRate(), demo.invalidRate(), demo.lateRate(), demo.skewRate());
        TrafficGenerator generator = new TrafficGenerator(new IngestClient(args[0], args[1]), config);
        generator.publishCatalog();
        generator.run();
        if (args.length > 5) {
            generator.writeDataset(Path.of(args[5]), ZoneId.of("UTC"));
        }
    }

    /** Puts every content item of the model into the catalog, so that plays are enriched with lengths. */
    public void publishCatalog() throws IOException, InterruptedException {
        for (Map.Entry<String, Integer> item : TrafficModel.catalog(config.seed()).entrySet()) {
            client.putContent(item.getKey(), Map.of("title", "Episode " + item.getKey(), "content_type",
                    item.getValue() > 600 ? "video" : "clip", "length_seconds", item.getValue()));
        }
    }

    @Override
    public void run() {
        TrafficModel model = new TrafficModel(config);
        long start = System.nanoTime();
        try {
            while (running && (config.totalEvents() == 0 || sent.get() < config.totalEvents())) {
                int size = (int) Math.min(config.batchSize(), config.totalEvents() == 0 ? Long.MAX_VALUE : config.totalEvents() - sent.get());
                Instant now = Instant.now();
                List<Map<String, Object>> events = model.batch(size, now);
                Map<String, Map<String, Object>> truth = new LinkedHashMap<>();
                events.forEach(e -> {
                    if (e.get("event_id") != null) {
                        truth.put((String) e.get("event_id"), new LinkedHashMap<>(e));
                    }
                });
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("batch", events);
                // a client whose clock is off stamps its events and its sent_at with the same wrong clock
                java.time.Duration skew = model.skewedClock() ? model.skew() : java.time.Duration.ZERO;
                events.forEach(e -> e.computeIfPresent("timestamp", (k, ts) -> Instant.parse((String) ts).plus(skew).toString()));
                body.put("sent_at", now.plus(skew).toString());
                send(body, truth);
                if (model.duplicate()) {
                    send(body, truth);
                }
                sent.addAndGet(size);
                pace(start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(Map<String, Object> body, Map<String, Map<String, Object>> truth) throws InterruptedException {
        IngestClient.Result result = client.send(body, Duration.ofMinutes(5));
        result.eventIds().forEach(id -> {
            Map<String, Object> event = truth.get(id);
            if (event != null) {
                acceptedEvents.putIfAbsent(id, event);
            }
        });
    }

    /** Writes the accepted events (NDJSON, true times) and their expected daily metrics (JSON) into {@code dir}. */
    public void writeDataset(Path dir, ZoneId zone) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper mapper = new ObjectMapper();
        try (var out = Files.newBufferedWriter(dir.resolve("events.ndjson"))) {
            for (Map<String, Object> event : acceptedEvents.values()) {
                out.write(mapper.writeValueAsString(event));
                out.newLine();
            }
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("expected-metrics.json").toFile(), expectedDaily(zone));
    }

    public Map<String, Map<String, Object>> expectedDaily(ZoneId zone) {
        return ExpectedMetrics.daily(acceptedEvents.values(), zone);
    }

    /** Sleeps just enough to hold the target rate; 0 means no pacing. */
    private void pace(long start) throws InterruptedException {
        if (config.eventsPerSecond() <= 0) {
            return;
        }
        long due = start + (long) (sent.get() / config.eventsPerSecond() * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    public void stop() {
        running = false;
    }

    public long sent() {
        return sent.get();
    }

    /** Distinct ids of accepted events: what every downstream count must equal, resends included once. */
    public Set<String> acceptedIds() {
        return Set.copyOf(acceptedEvents.keySet());
    }
}
