package dev.pulse.deploy.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An app that sends every kind of poison Pulse has met (issue 13) — NUL and unpaired surrogates in each field
 * family, timestamps and {@code sent_at} outside any sane window, numbers past their columns, huge and deep
 * property maps, hostile catalog entries and query parameters — mixed with valid events of its own, while another
 * app's traffic must go on unharmed. It records every answer's status per kind of poison; a 5xx is a failure.
 */
final class HostileTenant implements Runnable {
    /** The ids of a 202's {@code event_ids}: UUIDs are all that answer holds in quotes after them. */
    private static final Pattern EVENT_ID = Pattern.compile("\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"");

    private record Poison(String name, String method, String path, String body, boolean toQuery) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String ingestUrl;
    private final String queryUrl;
    private final String writeKey;
    private final String readToken;
    private final List<Poison> poisons;
    private final Map<String, Map<Integer, Integer>> answers = new ConcurrentHashMap<>();
    private final Set<String> acceptedIds = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    HostileTenant(String ingestUrl, String queryUrl, String app, String writeKey, String readToken) {
        this.ingestUrl = ingestUrl;
        this.queryUrl = queryUrl;
        this.writeKey = writeKey;
        this.readToken = readToken;
        this.poisons = poisons(app);
    }

    private static List<Poison> poisons(String app) {
        List<Poison> p = new ArrayList<>();
        event(p, "NUL in user_id", "{\"event\":\"signup\",\"user_id\":\"poison\\u0000x\"}");
        event(p, "NUL in event name", "{\"event\":\"sign\\u0000up\",\"user_id\":\"h1\"}");
        event(p, "NUL in session_id", "{\"event\":\"signup\",\"user_id\":\"h1\",\"session_id\":\"s\\u0000\"}");
        event(p, "NUL in a property value", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{\"note\":\"a\\u0000b\"}}");
        event(p, "NUL in a nested property", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{\"a\":[{\"b\":\"\\u0000\"}]}}");
        event(p, "NUL in a property key", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{\"k\\u0000\":1}}");
        event(p, "NUL in a trait", "{\"event\":\"signup\",\"user_id\":\"h1\",\"user\":{\"city\":\"x\\u0000\"}}");
        event(p, "NUL in context", "{\"event\":\"page_view\",\"user_id\":\"h1\",\"context\":{\"host\":\"h\\u0000\",\"url\":\"/\"}}");
        event(p, "unpaired surrogate in user_id", "{\"event\":\"signup\",\"user_id\":\"\\ud800x\"}");
        event(p, "unpaired surrogate in a property", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{\"t\":\"\\udc00\"}}");
        event(p, "timestamp in year 1", "{\"event\":\"signup\",\"user_id\":\"h1\",\"timestamp\":\"0001-01-01T00:00:00Z\"}");
        event(p, "timestamp in 1970", "{\"event\":\"signup\",\"user_id\":\"h1\",\"timestamp\":\"1970-01-01T00:00:00Z\"}");
        event(p, "timestamp in year 999999999", "{\"event\":\"signup\",\"user_id\":\"h1\",\"timestamp\":\"+999999999-12-31T23:59:59Z\"}");
        event(p, "sent_at far in the future", "{\"batch\":[{\"event\":\"signup\",\"user_id\":\"h2\"}],\"sent_at\":\"+999999999-01-01T00:00:00Z\"}");
        event(p, "sent_at far in the past", "{\"batch\":[{\"event\":\"signup\",\"user_id\":\"h2\"}],\"sent_at\":\"1900-01-01T00:00:00Z\"}");
        event(p, "duration_ms 1e30", "{\"event\":\"content.engagement\",\"user_id\":\"h1\",\"properties\":{\"content_id\":\"c1\",\"duration_ms\":1e30}}");
        event(p, "duration_ms past a long", "{\"event\":\"content.engagement\",\"user_id\":\"h1\",\"properties\":{\"content_id\":\"c1\",\"duration_ms\":99999999999999999999999}}");
        event(p, "revenue 1e308", "{\"event\":\"purchase\",\"user_id\":\"h1\",\"properties\":{\"revenue\":1e308}}");
        event(p, "post_id past a bigint", "{\"event\":\"feed.view\",\"user_id\":\"h1\",\"properties\":{\"post_id\":9223372036854775808}}");
        event(p, "age 1e10, exp_group past an int", "{\"event\":\"signup\",\"user_id\":\"h1\",\"user\":{\"age\":1e10,\"exp_group\":3000000000}}");
        event(p, "20,000 properties", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{"
                + String.join(",", java.util.stream.IntStream.range(0, 20_000).mapToObj(i -> "\"k" + i + "\":" + i).toList()) + "}}");
        event(p, "properties nested 500 deep", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":"
                + "{\"a\":".repeat(500) + "1" + "}".repeat(500) + "}");
        event(p, "a property of 900 KB", "{\"event\":\"custom.thing\",\"user_id\":\"h1\",\"properties\":{\"blob\":\"" + "x".repeat(900_000) + "\"}}");
        event(p, "1,000 invalid events", "[" + String.join(",", java.util.Collections.nCopies(1_000, "{\"event\":\"BAD\",\"user_id\":\"h1\"}")) + "]");
        catalog(p, "catalog title with NUL", "c-nul", "{\"title\":\"t\\u0000\",\"content_type\":\"video\",\"length_seconds\":10}");
        catalog(p, "catalog title of 600 KB", "c-long", "{\"title\":\"" + "t".repeat(600_000) + "\",\"content_type\":\"video\",\"length_seconds\":10}");
        catalog(p, "catalog length_seconds 1e20", "c-len", "{\"title\":\"t\",\"content_type\":\"video\",\"length_seconds\":1e20}");
        catalog(p, "catalog publish_ts in year 0", "c-ts", "{\"title\":\"t\",\"content_type\":\"video\",\"length_seconds\":1,\"publish_ts\":\"0000-01-01T00:00:00Z\"}");
        catalog(p, "catalog id with NUL", "c%00x", "{\"title\":\"t\",\"content_type\":\"video\",\"length_seconds\":1}");
        query(p, "query in year 999999999", "POST", "/v1/query",
                "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"+999999999-12-01\",\"+999999999-12-31\"]}");
        query(p, "query with limit 2^31 and offset -1", "POST", "/v1/query",
                "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\",\"limit\":2147483648,\"offset\":-1}");
        query(p, "query filter with NUL", "POST", "/v1/query",
                "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\",\"filters\":[[\"is\",\"user:city\",[\"\\u0000\"]]]}");
        query(p, "retention horizon 2^40", "GET", "/v1/retention?app=" + app + "&from=2026-01-01&to=2026-01-02&period=day&horizon=1099511627776", null);
        query(p, "realtime minutes -1", "GET", "/v1/realtime?app=" + app + "&minutes=-1", null);
        query(p, "host with NUL", "GET", "/v1/hosts/h%00/activity?app=" + app + "&month=2026-01", null);
        query(p, "user with NUL", "GET", "/v1/users/u%00?app=" + app, null);
        query(p, "quality in year 999999999", "GET", "/v1/quality?app=" + app + "&date=%2B999999999-01-01", null);
        return p;
    }

    private static void event(List<Poison> p, String name, String body) {
        p.add(new Poison(name, "POST", "/v1/events", body, false));
    }

    private static void catalog(List<Poison> p, String name, String id, String body) {
        p.add(new Poison(name, "PUT", "/v1/catalog/content/" + id, body, false));
    }

    private static void query(List<Poison> p, String name, String method, String path, String body) {
        p.add(new Poison(name, method, path, body, true));
    }

    @Override
    public void run() {
        while (running) {
            for (Poison poison : poisons) {
                if (!running) {
                    return;
                }
                answers.computeIfAbsent(poison.name(), k -> new TreeMap<>()).merge(send(poison), 1, Integer::sum);
                String id = UUID.randomUUID().toString();
                send(new Poison("valid", "POST", "/v1/events",
                        "{\"event\":\"signup\",\"user_id\":\"hv-" + id.substring(0, 8) + "\",\"event_id\":\"" + id + "\"}", false));
            }
        }
    }

    void stop() {
        running = false;
    }

    /**
     * Sends until a definite answer, as an SDK would: a request that found the service down (a restart of the fault
     * run), or was asked to come back later, goes again with the same body and Idempotency-Key, so whatever a 202
     * accepted is known by its ids, poison that was let through included.
     *
     * @return the final HTTP status, or 0 when the service stayed unreachable
     */
    private int send(Poison poison) {
        String idempotencyKey = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int status = 0;
        while (running && System.nanoTime() < deadline) {
            HttpResponse<String> response = attempt(poison, idempotencyKey);
            status = response == null ? 0 : response.statusCode();
            if (status != 0 && status != 429 && status != 503) {
                if (status == 202 && poison.path().equals("/v1/events")) {
                    EVENT_ID.matcher(response.body()).results().forEach(m -> acceptedIds.add(m.group(1)));
                }
                return status;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
        return status;
    }

    private HttpResponse<String> attempt(Poison poison, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create((poison.toQuery() ? queryUrl : ingestUrl) + poison.path()))
                .header("Authorization", "Bearer " + (poison.toQuery() ? readToken : writeKey))
                .timeout(Duration.ofSeconds(30));
        if (poison.body() != null) {
            request.header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey);
        }
        HttpRequest.BodyPublisher body = poison.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(poison.body());
        try {
            return http.send(request.method(poison.method(), body).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return null;
        }
    }

    Set<String> acceptedIds() {
        return acceptedIds;
    }

    /** Kinds of poison answered with a 5xx, with how often. */
    Map<String, Integer> serverErrors() {
        Map<String, Integer> errors = new LinkedHashMap<>();
        answers.forEach((name, byStatus) -> byStatus.forEach((status, n) -> {
            if (status >= 500) {
                errors.merge(name, n, Integer::sum);
            }
        }));
        return errors;
    }

    /** One report line per kind of poison: the statuses it got, in the order the poisons are sent. */
    List<String> reportRows() {
        List<String> rows = new ArrayList<>();
        for (Poison poison : poisons) {
            Map<Integer, Integer> byStatus = answers.getOrDefault(poison.name(), Map.of());
            List<String> parts = new ArrayList<>();
            byStatus.forEach((status, n) -> parts.add((status == 0 ? "unreachable" : String.valueOf(status)) + " ×" + n));
            rows.add("| " + poison.name() + " | " + String.join(", ", parts) + " |");
        }
        return rows;
    }
}
