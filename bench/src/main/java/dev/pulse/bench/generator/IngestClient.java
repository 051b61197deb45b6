package dev.pulse.bench.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends batches to ingest-service as an app SDK would: a retry resends the very same body. Given several ingest
 * instances, batches go to each in turn, as behind a load balancer (a retry may reach another instance).
 */
public final class IngestClient {
    /** What the server made of one batch. */
    public record Result(int status, int accepted, int rejected, List<String> eventIds, long micros) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<URI> instances;
    private final AtomicInteger next = new AtomicInteger();
    private final String writeKey;

    public IngestClient(String ingestUrl, String writeKey) {
        this(List.of(ingestUrl), writeKey);
    }

    public IngestClient(List<String> ingestUrls, String writeKey) {
        if (ingestUrls.isEmpty()) {
            throw new IllegalArgumentException("no ingest instance");
        }
        this.instances = ingestUrls.stream().map(url -> URI.create(url.endsWith("/") ? url : url + "/")).toList();
        this.writeKey = writeKey;
    }

    private URI nextInstance() {
        return instances.get(Math.floorMod(next.getAndIncrement(), instances.size()));
    }

    /** Sends one batch, retrying on 429 and 503 (and connection failures) for up to {@code patience}. */
    public Result send(Map<String, Object> body, Duration patience) throws InterruptedException {
        byte[] json = json(body);
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            long start = System.nanoTime();
            URI events = nextInstance().resolve("v1/events");
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(events)
                        .header("Authorization", "Bearer " + writeKey).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                        HttpResponse.BodyHandlers.ofString());
                long micros = (System.nanoTime() - start) / 1000;
                int status = response.statusCode();
                if ((status == 429 || status == 503) && System.nanoTime() < deadline) {
                    Thread.sleep(Math.max(100, retryAfter(response) * 1000L));
                    continue;
                }
                if (status == 202) {
                    JsonNode answer = MAPPER.readTree(response.body());
                    List<String> ids = new ArrayList<>();
                    answer.get("event_ids").forEach(id -> ids.add(id.asText()));
                    return new Result(status, answer.get("accepted").asInt(), answer.get("rejected").size(), ids, micros);
                }
                return new Result(status, 0, 0, List.of(), micros);
            } catch (IOException e) {
                if (System.nanoTime() >= deadline) {
                    throw new UncheckedIOException("ingest unreachable at " + events, e);
                }
                Thread.sleep(500);
            }
        }
    }

    public void putContent(String contentId, Map<String, Object> content) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(nextInstance().resolve("v1/catalog/content/" + contentId))
                .header("Authorization", "Bearer " + writeKey).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json(content))).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("catalog update answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static long retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L);
    }

    private static byte[] json(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
