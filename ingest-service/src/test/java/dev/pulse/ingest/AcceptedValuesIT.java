package dev.pulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.StorableText;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §8 accepted values at the edge: each kind of poison is a per-event rejection naming the field, the valid
 * events of the same request are accepted (202), and every rejection reaches events.invalid in a form PostgreSQL
 * can store. JSON escapes are written {@code \\u0000} (NUL) and {@code \\ud800} (an unpaired surrogate).
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class AcceptedValuesIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TopicReader raw;
    private static TopicReader invalid;
    private String app;
    private String writeKey;

    @BeforeAll
    static void openTopics() {
        raw = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.RAW);
        invalid = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.INVALID);
    }

    @AfterAll
    static void closeTopics() {
        raw.close();
        invalid.close();
    }

    private RequestSpecification asNewApp() {
        JsonPath keys = AppsFixture.createApp("UTC");
        app = keys.getString("app");
        writeKey = keys.getString("write_key");
        return asApp();
    }

    private RequestSpecification asApp() {
        return given().header("Authorization", "Bearer " + writeKey);
    }

    private static String event(String name, String extra) {
        return "{\"event\":\"" + name + "\",\"user_id\":\"u\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @Test
    void everyKindOfPoisonIsRejectedAloneNamingItsField() {
        // poison event → the error it must get
        Map<String, String> poison = new LinkedHashMap<>();
        poison.put("{\"event\":\"signup\",\"user_id\":\"poison\\u0000x\"}", "user_id: must not contain NUL (U+0000)");
        poison.put(event("signup", "\"session_id\":\"\\u0000\""), "session_id: must not contain NUL (U+0000)");
        poison.put(event("signup", "\"properties\":{\"title\":\"a\\u0000\"}"), "properties.title: must not contain NUL (U+0000)");
        poison.put(event("signup", "\"properties\":{\"a\":[{\"b\":\"\\u0000\"}]}"), "properties.a[0].b: must not contain NUL (U+0000)");
        poison.put(event("signup", "\"properties\":{\"k\\u0000\":1}"), "properties.k\\u0000: key must not contain NUL (U+0000)");
        poison.put(event("signup", "\"user\":{\"city\":\"\\ud800\"}"), "user.city: must not contain an unpaired surrogate");
        poison.put(event("signup", "\"context\":{\"url\":\"/\\u0000\"}"), "context.url: must not contain NUL (U+0000)");
        poison.put(event("signup", "\"timestamp\":\"1970-01-01T00:00:00Z\""), "timestamp: must be from 2000-01-01T00:00:00Z and before +10000-01-01T00:00:00Z");
        poison.put(event("signup", "\"timestamp\":\"+999999999-12-01T00:00:00Z\""), "timestamp: must be from 2000-01-01T00:00:00Z and before +10000-01-01T00:00:00Z");
        poison.put(event("content.engagement", "\"properties\":{\"content_id\":\"c\",\"duration_ms\":18446744073709551616}"),
                "properties.duration_ms: must be an integer in the 64-bit range");
        poison.put(event("content.engagement", "\"properties\":{\"content_id\":\"c\",\"duration_ms\":9007199254740992}"),
                "properties.duration_ms: must be a number in [0, 9007199254740991]");
        poison.put(event("purchase", "\"properties\":{\"revenue\":1e400}"), "properties.revenue: must be a finite number");
        poison.put(event("feed.view", "\"properties\":{\"post_id\":9223372036854775808}"), "properties.post_id: must be an integer in the 64-bit range");
        poison.put(event("signup", "\"user\":{\"age\":1e40}"), "user.age: must be an integer in [0, 150]");
        poison.put(event("signup", "\"properties\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{}}}}}}"), "properties.a.b.c.d.e: nested deeper than 5 levels");
        poison.put(event("signup", "\"properties\":{\"big\":\"" + "x".repeat(17_000) + "\"}"), "properties: larger than 16384 bytes as JSON");
        poison.put(event("signup", "\"user\":{\"city\":\"" + "c".repeat(129) + "\"}"), "user.city: must be at most 128 characters");
        UUID first = UUID.randomUUID();
        UUID last = UUID.randomUUID();
        List<String> events = new ArrayList<>();
        events.add(event("signup", "\"event_id\":\"" + first + "\""));
        events.addAll(poison.keySet());
        events.add(event("signup", "\"event_id\":\"" + last + "\""));

        JsonPath answer = asNewApp().contentType(ContentType.JSON).body("[" + String.join(",", events) + "]")
                .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(2))
                .extract().jsonPath();
        assertEquals(List.of(first.toString(), last.toString()), answer.getList("event_ids"));
        assertEquals(List.copyOf(poison.values()), answer.getList("rejected.error"));
        assertEquals(poison.size(), answer.getList("rejected.index").size());

        await().atMost(Duration.ofSeconds(20)).until(() -> raw.poll().stream().filter(r -> r.value().contains(last.toString())).count() == 1);
        List<JsonNode> refused = await().atMost(Duration.ofSeconds(20))
                .until(() -> invalid.pollApp(app), records -> records.size() == poison.size());
        assertEquals(List.copyOf(poison.values()), refused.stream().map(r -> r.get("error").asText()).toList());
        for (JsonNode record : refused) {
            assertNull(StorableText.problem(record.get("error").asText()), record.toString());
            assertNull(StorableText.problem(record.get("payload").asText()), record.toString());
        }
    }

    @Test
    void aParserMessageQuotingANulByteIsStoredEscaped() {
        String ndjson = event("signup", "") + "\nnope\u0000x\n";
        String error = asNewApp().contentType("application/x-ndjson").body(ndjson.getBytes(StandardCharsets.UTF_8))
                .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(1))
                .extract().jsonPath().getString("rejected[0].error");
        assertTrue(error.startsWith("line is not valid JSON"), error);
        assertNull(StorableText.problem(error), error);
        assertTrue(error.contains("\\u0000"), error);
    }

    @Test
    void sentAtFarFromTheReceiveTimeIsRefusedNotAppliedToEveryEvent() {
        Instant now = Instant.now();
        asNewApp().contentType(ContentType.JSON)
                .body(Map.of("sent_at", now.plus(Duration.ofDays(3650)).toString(), "batch", List.of(Map.of("event", "signup", "user_id", "u",
                        "timestamp", now.toString()))))
                .when().post("/v1/events").then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("sent_at"));
        // within the skew, a correction that would move an event before 2000 refuses that event alone
        asApp().contentType(ContentType.JSON)
                .body(Map.of("sent_at", now.plus(Duration.ofHours(23)).toString(), "batch", List.of(
                        Map.of("event", "signup", "user_id", "u", "timestamp", "2000-01-01T10:00:00Z"),
                        Map.of("event", "signup", "user_id", "u"))))
                .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(1))
                .body("rejected[0].error", startsWith("timestamp: must be from 2000-01-01T00:00:00Z"));
    }

    @Test
    void aFarFutureTimestampIsStillClampedAndFlagged() {
        UUID id = UUID.randomUUID();
        asNewApp().contentType(ContentType.JSON).body(event("signup", "\"event_id\":\"" + id + "\",\"timestamp\":\"9999-12-31T23:59:59Z\""))
                .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(1));
        JsonNode stored = await().atMost(Duration.ofSeconds(20)).until(() -> raw.poll().stream()
                .filter(r -> r.value().contains(id.toString())).map(r -> json(r.value())).findFirst().orElse(null), r -> r != null);
        assertTrue(stored.get("clock_clamped").asBoolean());
        assertEquals(stored.get("received_at").asText(), stored.get("event").get("timestamp").asText());
    }

    @Test
    void theCatalogAcceptsOnlyWhatEnrichmentCanStore() {
        asNewApp();
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("{\"title\":\"a\\u0000b\"}", "title");
        refused.put("{\"content_type\":\"\\udc00\"}", "content_type");
        refused.put("{\"title\":\"" + "t".repeat(1025) + "\"}", "title");
        refused.put("{\"length_seconds\":2147483648}", "length_seconds");
        refused.put("{\"length_seconds\":-1}", "length_seconds");
        refused.put("{\"publish_ts\":\"1800-01-01T00:00:00Z\"}", "publish_ts");
        refused.put("{\"publish_ts\":\"+999999999-12-31T00:00:00Z\"}", "publish_ts");
        refused.put("[]", "body");
        refused.forEach((body, field) -> asApp().contentType(ContentType.JSON).body(body)
                .when().put("/v1/catalog/content/c1").then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo(field)).body("detail", startsWith(field + ": ")));
        asApp().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{}").when().put("/v1/catalog/content/c%00x")
                .then().statusCode(400).body("field", equalTo("content_id"));
        asApp().contentType(ContentType.JSON).body("{}").when().put("/v1/catalog/content/" + "c".repeat(129))
                .then().statusCode(400).body("field", equalTo("content_id"));
        asApp().contentType(ContentType.JSON)
                .body("{\"title\":\"" + "t".repeat(1024) + "\",\"content_type\":\"video\",\"length_seconds\":600,\"publish_ts\":\"1999-05-01T00:00:00+02:00\"}")
                .when().put("/v1/catalog/content/c1").then().statusCode(200)
                .body("length_seconds", equalTo(600)).body("publish_ts", equalTo("1999-04-30T22:00:00Z"))
                .body("app_id", equalTo(app));
    }

    private static JsonNode json(String value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
