package dev.pulse.query;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input to every query-api endpoint: a table of values each endpoint must refuse with a 400 naming the
 * parameter, then a seeded random run of mutated valid requests. Never a 5xx; every 4xx is problem+json, and a
 * sequential run never sees a 429 (a slot of the per-app limit that leaked would show as one).
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class QueryFuzzIT {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final LocalDate FIRST = LocalDate.of(2026, 5, 1);
    private static final int DAYS = 5;
    private static final int RANDOM_CASES = 200;
    private static final Set<Integer> EXPECTED = Set.of(200, 400, 401, 404, 413, 415);
    /** Writes every non-ASCII character as \\uXXXX, so an unpaired surrogate reaches the server as one. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** Over the 2,048 characters any text may have; two of them fit in a request line (8 KiB). */
    private static final String LONG = "x".repeat(2100);
    /** Text parameters as they travel in a URL (percent-encoded by hand): the ones every text field refuses. */
    private static final List<String> BAD_TEXT = List.of("%00", "a%00b", LONG);
    private static final List<String> ODD_TEXT = List.of("", "%ED%A0%80", "%C0%80", "%FF", "%F0%9F%98%80", "%20", "..", "'%3B--", "%25",
            "%E2%80%AE", "%5C", "%22", "%0A");
    private static final List<String> BAD_DATES = List.of("%2B999999999-12-31", "+999999999-12-31", "-999999999-01-01", "0000-01-01",
            "-0001-12-31", "1969-12-31", "%2B10000-01-01", "2026-02-30", "2026-13-01", "2026-1-1", "2026-05-01T00:00", "now", "%00");
    private static final List<String> BAD_MONTHS = List.of("%2B999999999-12", "-999999999-01", "0000-01", "-0001-01", "%2B10000-01",
            "2026-13", "2026-00", "2026-5", "2026-05-01", "%00");
    private static final List<String> BAD_INTEGERS = List.of("-1", "2147483648", "-2147483649", "99999999999999999999", "1e3", "0x10",
            "1.5", "NaN", "%00", "abc");

    private static String app;
    private static String token;

    @BeforeAll
    static void load() {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        new QueryFixture(app, ZONE, FIRST, DAYS, 7);
    }

    /**
     * A parameter: values it accepts, values it refuses (a 400 naming it), odd values it may take or not (an empty
     * value, for one, is the default where there is one).
     */
    private record Param(String name, List<String> valid, List<String> refused, List<String> odd) {
        Param(String name, List<String> valid, List<String> refused) {
            this(name, valid, refused, List.of(""));
        }
    }

    /** A GET endpoint: its path with {@code {}} for the path parameter (or none), and its query parameters. */
    private record Endpoint(String path, Param pathParam, List<Param> params) {
    }

    private static List<Endpoint> endpoints() {
        Param appParam = new Param("app", List.of(app), BAD_TEXT, ODD_TEXT);
        List<String> dates = List.of(FIRST.toString(), FIRST.plusDays(2).toString(), "2026-04-30");
        List<String> months = List.of("2026-05", "2026-04", "1970-01", "9999-12");
        return List.of(
                new Endpoint("/v1/retention", null, List.of(appParam, new Param("from", dates, BAD_DATES), new Param("to", dates, BAD_DATES),
                        new Param("period", List.of("day", "week"), List.of("month", "%00", "DAY")),
                        new Param("horizon", List.of("0", "7", "90"), merge(BAD_INTEGERS, List.of("91"))))),
                new Endpoint("/v1/realtime", null, List.of(appParam,
                        new Param("minutes", List.of("1", "30", "60"), merge(BAD_INTEGERS, List.of("0", "61"))))),
                new Endpoint("/v1/hosts/{}/activity", new Param("host", List.of("www.example.com", "H.example", "x"), BAD_TEXT, ODD_TEXT),
                        List.of(appParam, new Param("month", months, BAD_MONTHS))),
                new Endpoint("/v1/users/{}", new Param("user_id", List.of("u1", "u2", "u24", "nobody"), BAD_TEXT, ODD_TEXT),
                        List.of(appParam, new Param("month", months, BAD_MONTHS))),
                new Endpoint("/v1/quality", null, List.of(appParam, new Param("date", dates, BAD_DATES))));
    }

    private static List<String> merge(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void everyRefusedParameterIsA400NamingIt() {
        for (Endpoint endpoint : endpoints()) {
            List<Param> all = new ArrayList<>(endpoint.params());
            if (endpoint.pathParam() != null) {
                all.add(endpoint.pathParam());
            }
            for (Param broken : all) {
                for (String value : broken.refused()) {
                    StringBuilder url = new StringBuilder(path(endpoint, broken == endpoint.pathParam() ? value : endpoint.pathParam() == null
                            ? null : endpoint.pathParam().valid().get(0))).append('?');
                    for (Param p : endpoint.params()) {
                        url.append(p.name()).append('=').append(p == broken ? value : p.valid().get(0)).append('&');
                    }
                    Response response = get(url.toString());
                    String label = url.length() > 200 ? url.substring(0, 200) + "…" : url.toString();
                    assertEquals(400, response.statusCode(), label + " answered " + response.asString());
                    assertProblem(response, label);
                    assertEquals(broken.name(), response.jsonPath().getString("field"), label);
                }
            }
        }
    }

    @Test
    void randomParametersNeverYieldA5xx() {
        Random random = new Random(20261201);
        for (Endpoint endpoint : endpoints()) {
            Set<String> names = new java.util.HashSet<>();
            endpoint.params().forEach(p -> names.add(p.name()));
            if (endpoint.pathParam() != null) {
                names.add(endpoint.pathParam().name());
            }
            for (int i = 0; i < RANDOM_CASES; i++) {
                StringBuilder url = new StringBuilder(path(endpoint, endpoint.pathParam() == null ? null : pick(random, endpoint.pathParam())))
                        .append('?');
                for (Param p : endpoint.params()) {
                    if (random.nextInt(8) > 0) {
                        url.append(p.name()).append('=').append(pick(random, p)).append('&');
                    }
                }
                Response response = get(url.toString());
                String label = "case " + i + ": " + (url.length() > 200 ? url.substring(0, 200) + "…" : url);
                assertAllowed(response, label);
                if (response.statusCode() == 400) {
                    assertTrue(names.contains(response.jsonPath().getString("field")), label + " named " + response.asString());
                }
            }
        }
    }

    /** Mostly valid values, else a refused or an odd one. */
    private static String pick(Random random, Param p) {
        int dice = random.nextInt(10);
        List<String> from = dice < 6 ? p.valid() : dice < 8 ? p.refused() : p.odd();
        return from.get(random.nextInt(from.size()));
    }

    private static String path(Endpoint endpoint, String pathValue) {
        return endpoint.pathParam() == null ? endpoint.path() : endpoint.path().replace("{}", pathValue);
    }

    private static Response get(String url) {
        String trimmed = url.replaceAll("[?&]+$", "");
        return given().urlEncodingEnabled(false).header("Authorization", "Bearer " + token).when().get(trimmed);
    }

    // ---- POST /v1/query ----

    private static String base() {
        return "{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(DAYS - 1)
                + "\"],\"dimensions\":[\"time:day\",\"user:country\"],\"filters\":[[\"is_not\",\"user:country\",[\"FR\"]]],"
                + "\"order_by\":[[\"events\",\"desc\"]],\"limit\":100,\"offset\":0}";
    }

    /** The body with one field (a JSON pointer) replaced by a JSON value, written with every non-ASCII char escaped. */
    private static String with(String pointer, String value) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(base());
            set(body, pointer, value == null ? null : JSON.readTree(value));
            return JSON.writeValueAsString(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sets (or, for a null value, removes) the node at the pointer; an index past an array's end appends. */
    private static void set(JsonNode root, String pointer, JsonNode value) {
        JsonPointer at = JsonPointer.compile(pointer);
        JsonNode parent = root.at(at.head());
        String last = at.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            if (value == null) {
                object.remove(last);
            } else {
                object.set(last, value);
            }
        } else if (parent instanceof ArrayNode array) {
            int index = at.last().getMatchingIndex();
            if (value == null) {
                array.remove(index);
            } else if (index < array.size()) {
                array.set(index, value);
            } else {
                array.add(value);
            }
        }
    }

    /** Body changes every query must refuse with a 400 naming this field. */
    private static final List<String[]> REFUSED_FIELDS = List.of(
            new String[] {"/date_range", "[\"+999999999-12-01\",\"+999999999-12-31\"]", "date_range[0]"},
            new String[] {"/date_range", "[\"-999999999-01-01\",\"2026-01-01\"]", "date_range[0]"},
            new String[] {"/date_range", "[\"0000-01-01\",\"0000-01-02\"]", "date_range[0]"},
            new String[] {"/date_range", "[\"-0001-01-01\",\"2026-01-01\"]", "date_range[0]"},
            new String[] {"/date_range", "[\"9999-12-01\",\"+10000-01-01\"]", "date_range[1]"},
            new String[] {"/date_range", "[\"2026-01-01\",20260102]", "date_range[1]"},
            new String[] {"/date_range", "[\"2026-01-01\",null]", "date_range[1]"},
            new String[] {"/date_range", "[\"2026-01-02\",\"2026-01-01\"]", "date_range"},
            new String[] {"/date_range", "[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\"]", "date_range"},
            new String[] {"/date_range", "\"1000d\"", "date_range"},
            new String[] {"/date_range", "{}", "date_range"},
            new String[] {"/date_range", null, "date_range"},
            new String[] {"/limit", "2147483648", "limit"},
            new String[] {"/limit", "-1", "limit"},
            new String[] {"/limit", "0", "limit"},
            new String[] {"/limit", "1e400", "limit"},
            new String[] {"/limit", "1.5", "limit"},
            new String[] {"/limit", "\"10\"", "limit"},
            new String[] {"/limit", "99999999999999999999999", "limit"},
            new String[] {"/offset", "-1", "offset"},
            new String[] {"/offset", "2147483648", "offset"},
            new String[] {"/metrics", "{}", "metrics"},
            new String[] {"/metrics", "[]", "metrics"},
            new String[] {"/metrics", "\"events\"", "metrics"},
            new String[] {"/metrics", null, "metrics"},
            new String[] {"/metrics/0", "null", "metrics[0]"},
            new String[] {"/metrics/0", "[\"events\"]", "metrics[0]"},
            new String[] {"/metrics/1", "\"active_users\"", "metrics[1]"},
            new String[] {"/metrics/1", "\"events\\u0000\"", "metrics[1]"},
            new String[] {"/dimensions", "{\"a\":1}", "dimensions"},
            new String[] {"/dimensions/1", "\"time:day\"", "dimensions[1]"},
            new String[] {"/dimensions/1", "\"time:week\"", "dimensions[1]"},
            new String[] {"/dimensions/0", "null", "dimensions[0]"},
            new String[] {"/filters", "{\"is\":1}", "filters"},
            new String[] {"/filters", "[" + "[\"is\",\"user:country\",[\"DE\"]],".repeat(32) + "[\"is\",\"user:country\",[\"DE\"]]]", "filters"},
            new String[] {"/filters/0", "[\"is\",\"user:country\",\"DE\"]", "filters[0]"},
            new String[] {"/filters/0", "[\"is\",\"user:country\",[]]", "filters[0]"},
            new String[] {"/filters/0", "[[\"is\"]]", "filters[0]"},
            new String[] {"/filters/0", "[\"like\",\"user:country\",[\"DE\"]]", "filters[0]"},
            new String[] {"/filters/0", "[\"is\",\"user:shoe\",[\"DE\"]]", "filters[0]"},
            new String[] {"/filters/0", "[\"is\",\"user:country\",[" + "\"DE\",".repeat(1000) + "\"FR\"]]", "filters[0]"},
            new String[] {"/filters/0/2/0", "\"DE\\u0000\"", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "\"\\ud800\"", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "\"\\udc00DE\"", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "\"" + LONG + "\"", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "{}", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "null", "filters[0][2][0]"},
            new String[] {"/filters/0/2/0", "[\"DE\"]", "filters[0][2][0]"},
            new String[] {"/order_by", "\"events\"", "order_by"},
            new String[] {"/order_by/0", "[\"events\"]", "order_by[0]"},
            new String[] {"/order_by/0", "[\"nope\",\"desc\"]", "order_by[0]"},
            new String[] {"/order_by/1", "[\"events\",\"asc\"]", "order_by[1]"},
            new String[] {"/order_by/0/1", "\"sideways\"", "order_by[0]"},
            new String[] {"/unknown", "1", "unknown"},
            new String[] {"/app", "5", "app"},
            new String[] {"/app", "{}", "app"},
            new String[] {"/app", "\"a\\u0000\"", "app"},
            new String[] {"/app", "\"\\ud800\"", "app"},
            new String[] {"/app", null, "app"});

    @Test
    void everyRefusedFieldIsA400NamingIt() {
        for (String[] c : REFUSED_FIELDS) {
            String body = with(c[0], c[1]);
            Response response = post(body, "application/json");
            String label = c[0] + " = " + c[1];
            assertEquals(400, response.statusCode(), label + " answered " + response.asString());
            assertProblem(response, label);
            assertEquals(c[2], response.jsonPath().getString("field"), label);
        }
    }

    @Test
    void brokenBodiesAreProblems() throws Exception {
        String valid = base();
        Map<String, Integer> bodies = new java.util.LinkedHashMap<>();
        bodies.put("", 400);
        bodies.put("null", 400);
        bodies.put("[]", 400);
        bodies.put("\"x\"", 400);
        bodies.put("1", 400);
        bodies.put(valid.substring(0, valid.length() / 2), 400);
        bodies.put(valid + " trailing", 400);
        bodies.put(valid + valid, 400);
        bodies.put("{\"app\":\"" + app + "\"," + valid.substring(1), 400);
        bodies.put("[".repeat(5000) + "]".repeat(5000), 400);
        bodies.put("{\"a\":".repeat(3000) + "1" + "}".repeat(3000), 400);
        bodies.put(valid.substring(0, valid.length() - 1) + ",\"pad\":\"" + "p".repeat(70_000) + "\"}", 413);
        bodies.put(valid.substring(0, valid.length() - 1) + ",\"pad\":\"" + "p".repeat(2_000_000) + "\"}", 413);
        bodies.forEach((body, status) -> {
            Response response = post(body, "application/json");
            String label = body.length() > 100 ? body.substring(0, 100) + "… (" + body.length() + " chars)" : body;
            assertEquals(status, response.statusCode(), label + " answered " + response.asString());
            assertProblem(response, label);
        });
        byte[] huge = (valid.substring(0, valid.length() - 1) + ",\"pad\":\"" + "p".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        // without Content-Length, the limit is found while the body is read: a 413, but a bare one
        assertEquals("HTTP/1.1 413", chunkedStatus(huge).substring(0, 12), "a chunked body over the limit");
        Response text = post(valid, "text/plain");
        assertEquals(415, text.statusCode());
        assertProblem(text, "text/plain");
        Response unauthorized = given().contentType("application/json").body(valid).when().post("/v1/query");
        assertEquals(401, unauthorized.statusCode());
        assertProblem(unauthorized, "no token");
    }

    /**
     * The status line the server answers to {@code body} sent chunked. The server refuses once the body passes its
     * limit and closes while the client may still be sending: a client that reads only after writing can see the
     * reset instead of the answer, so a second thread writes while this one reads.
     */
    private static String chunkedStatus(byte[] body) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(URI.create(RestAssured.baseURI).getHost(), RestAssured.port)) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/query HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int at = 0; at < body.length; at += 16_384) {
                        int n = Math.min(16_384, body.length - at);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, at, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException closed) {
                    // the server stopped reading: what it answered is the reader's
                }
            });
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            writer.join(30_000);
            assertNotNull(status, "the server closed without an answer");
            return status;
        }
    }

    private static final List<String> POINTERS = List.of("/app", "/metrics", "/metrics/0", "/metrics/1", "/metrics/2", "/date_range",
            "/date_range/0", "/date_range/1", "/dimensions", "/dimensions/0", "/dimensions/1", "/dimensions/2", "/filters", "/filters/0",
            "/filters/0/0", "/filters/0/1", "/filters/0/2", "/filters/0/2/0", "/filters/0/2/1", "/filters/1", "/order_by", "/order_by/0",
            "/order_by/0/0", "/order_by/0/1", "/order_by/1", "/limit", "/offset", "/extra");
    private static final List<String> VALUES = List.of("null", "true", "0", "-1", "1", "2147483647", "2147483648", "1e309",
            "99999999999999999999999", "1.5", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"" + LONG + "\"", "[]", "{}",
            "[null]", "[[[[[[[[[[1]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":[]}}}", "\"events\"", "\"active_users\"", "\"wau\"", "\"posts\"",
            "\"time:day\"", "\"time:week\"", "\"time:month\"", "\"post:id\"", "\"event:name\"", "\"device\"", "\"user:age\"", "\"7d\"",
            "\"today\"", "\"30d\"", "\"2026-05-02\"", "\"+999999999-12-31\"", "\"0000-01-01\"", "\"1970-01-01\"", "\"9999-12-31\"",
            "[\"1970-01-01\",\"1971-02-04\"]", "[\"9999-01-01\",\"9999-12-31\"]", "\"desc\"", "\"is\"", "\"contains\"", "[\"%\",\"_\",\"\\\\\"]",
            "[\"events\",\"events\"]", "[\"time:day\",\"time:day\"]", "[\"is\",\"user:country\",[\"DE\",null]]", "[\"contains\",\"event:name\",[\"feed\"]]");

    @Test
    void randomMutationsOfAValidQueryNeverYieldA5xx() throws java.io.IOException {
        Random random = new Random(20261202);
        for (int i = 0; i < RANDOM_CASES * 2; i++) {
            ObjectNode body = (ObjectNode) JSON.readTree(base());
            int mutations = 1 + random.nextInt(3);
            StringBuilder label = new StringBuilder("case ").append(i).append(':');
            for (int m = 0; m < mutations; m++) {
                String pointer = POINTERS.get(random.nextInt(POINTERS.size()));
                String value = random.nextInt(8) == 0 ? null : VALUES.get(random.nextInt(VALUES.size()));
                set(body, pointer, value == null ? null : JSON.readTree(value));
                label.append(' ').append(pointer).append('=').append(value == null || value.length() < 80 ? value : value.substring(0, 80) + "…");
            }
            Response response = post(JSON.writeValueAsString(body), "application/json");
            assertAllowed(response, label.toString());
            if (response.statusCode() == 400) {
                assertNotNull(response.jsonPath().getString("field"), label + " named no field: " + response.asString());
            }
        }
    }

    private static Response post(String body, String contentType) {
        return given().header("Authorization", "Bearer " + token).contentType(contentType).body(body).when().post("/v1/query");
    }

    private static void assertAllowed(Response response, String label) {
        assertTrue(EXPECTED.contains(response.statusCode()), label + " answered " + response.statusCode() + ": " + response.asString());
        if (response.statusCode() >= 400) {
            assertProblem(response, label);
        }
    }

    private static void assertProblem(Response response, String label) {
        assertTrue(response.contentType().startsWith("application/problem+json"), label + " answered " + response.contentType());
        assertEquals(response.statusCode(), response.jsonPath().getInt("status"), label);
        assertNotNull(response.jsonPath().getString("detail"), label);
    }
}
