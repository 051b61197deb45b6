package dev.pulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class EventsResourceIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TopicReader raw;
    private String writeKey;

    @BeforeAll
    static void openTopic() {
        raw = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.RAW);
    }

    @AfterAll
    static void closeTopic() {
        raw.close();
    }

    private String app() {
        JsonPath keys = AppsFixture.createApp("UTC");
        writeKey = keys.getString("write_key");
        return keys.getString("app");
    }

    private io.restassured.specification.RequestSpecification asApp() {
        return given().header("Authorization", "Bearer " + writeKey);
    }

    private JsonNode rawEvent(UUID eventId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> raw.poll().stream().anyMatch(r -> r.value().contains(eventId.toString())));
        ConsumerRecord<String, String> record = raw.poll().stream()
                .filter(r -> r.value().contains(eventId.toString())).findFirst().orElseThrow();
        try {
            return MAPPER.readTree(record.value());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void singleEventIsInKafkaWhenAnswered202() {
        String app = app();
        UUID id = UUID.randomUUID();
        asApp().contentType(ContentType.JSON)
                .body("{\"event\":\"feed.view\",\"user_id\":42,\"event_id\":\"" + id + "\",\"properties\":{\"post_id\":7}}")
                .when().post("/v1/events")
                .then().statusCode(202).body("accepted", equalTo(1)).body("rejected", hasSize(0))
                .body("event_ids", contains(id.toString()));
        JsonNode stored = rawEvent(id);
        assertEquals(app, stored.get("app_id").asText());
        assertEquals("42", stored.get("event").get("user_id").asText(), "an integer user_id means its decimal string");
        assertTrue(stored.get("event").hasNonNull("timestamp"), "receive time fills a missing timestamp");
    }

    @Test
    void generatesUuidV7WhenEventIdIsAbsent() {
        app();
        String id = asApp().contentType(ContentType.JSON).body("[{\"event\":\"signup\",\"user_id\":\"u1\"}]")
                .when().post("/v1/events").then().statusCode(202).extract().jsonPath().getString("event_ids[0]");
        assertEquals(7, UUID.fromString(id).version());
    }

    @Test
    void batchReportsRejectedEventsByIndex() {
        app();
        asApp().contentType(ContentType.JSON).body("""
                        [{"event":"signup","user_id":"u1"},
                         {"event":"feed.like","user_id":"u1"},
                         {"event":"Bad Name","user_id":"u1"},
                         {"event":"purchase","user_id":"u1","properties":{"revenue":-1}}]""")
                .when().post("/v1/events")
                .then().statusCode(202).body("accepted", equalTo(1))
                .body("rejected.index", contains(1, 2, 3))
                .body("rejected[0].error", equalTo("properties.post_id: required"))
                .body("rejected[1].error", containsString("event:"))
                .body("rejected[2].error", containsString("properties.revenue"));
    }

    @Test
    void clockSkewIsCorrectedWithSentAtAndFutureIsClamped() {
        app();
        Instant now = Instant.now();
        UUID skewed = UUID.randomUUID();
        UUID future = UUID.randomUUID();
        // the client's clock runs 2 hours behind: its event happened 1 minute before it sent the batch
        Instant clientNow = now.minus(Duration.ofHours(2));
        asApp().contentType(ContentType.JSON).body(Map.of(
                        "sent_at", clientNow.toString(),
                        "batch", List.of(
                                Map.of("event", "signup", "user_id", "u1", "event_id", skewed.toString(),
                                        "timestamp", clientNow.minusSeconds(60).toString()),
                                Map.of("event", "signup", "user_id", "u2", "event_id", future.toString(),
                                        "timestamp", clientNow.plus(Duration.ofHours(5)).toString()))))
                .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(2));
        Instant corrected = Instant.parse(rawEvent(skewed).get("event").get("timestamp").asText());
        assertTrue(Math.abs(Duration.between(now.minusSeconds(60), corrected).toSeconds()) < 30, "corrected: " + corrected);
        JsonNode clamped = rawEvent(future);
        assertTrue(clamped.get("clock_clamped").asBoolean());
        assertEquals(clamped.get("received_at").asText(), clamped.get("event").get("timestamp").asText());
    }

    @Test
    void ndjsonAndGzipAreAccepted() throws IOException {
        app();
        String ndjson = "{\"event\":\"signup\",\"user_id\":\"a\"}\n{not json}\n{\"event\":\"referral\",\"user_id\":\"b\"}\n";
        asApp().contentType("application/x-ndjson").header("Content-Encoding", "gzip").body(gzip(ndjson.getBytes(StandardCharsets.UTF_8)))
                .when().post("/v1/events")
                .then().statusCode(202).body("accepted", equalTo(2)).body("rejected[0].index", equalTo(1));
    }

    @Test
    void errorsAreProblemDetails() {
        app();
        given().contentType(ContentType.JSON).body("{}").when().post("/v1/events")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        given().header("Authorization", "Bearer nope").contentType(ContentType.JSON).body("{}").when().post("/v1/events")
                .then().statusCode(401);
        asApp().contentType(ContentType.TEXT).body("hello").when().post("/v1/events")
                .then().statusCode(415).contentType("application/problem+json");
        asApp().contentType(ContentType.JSON).body("{\"event\":").when().post("/v1/events")
                .then().statusCode(400).contentType("application/problem+json").body("detail", notNullValue());
        asApp().contentType(ContentType.JSON).body("[{\"user_id\":\"x\"}]").when().post("/v1/events")
                .then().statusCode(400).body("errors[0].error", equalTo("event: required"));
    }

    @Test
    void eachRefusedCredentialIsA401NamingTheHeaderAndWhy() {
        app();
        String required = "Authorization: Bearer <token> is required";
        refused(given(), "/v1/events", required);
        refused(given().header("Authorization", "Basic dXNlcjpwYXNz"), "/v1/events", required);
        refused(given().header("Authorization", "Bearer "), "/v1/events", required);
        refused(given().header("Authorization", "Bearer nope"), "/v1/events", "unknown write key");
        refused(given().header("Authorization", "Bearer nope"), "/v1/admin/apps", "wrong admin token");
        // each endpoint takes its own kind of credential only: a write key is no admin token
        refused(given().header("Authorization", "Bearer " + writeKey), "/v1/admin/apps", "wrong admin token");
    }

    private static void refused(io.restassured.specification.RequestSpecification request, String path, String detail) {
        request.contentType(ContentType.JSON).body("{\"app\":\"x\"}").when().post(path)
                .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401)).body("field", equalTo("Authorization")).body("detail", equalTo(detail));
    }

    @Test
    void oversizedBodiesAndGzipBombsAre413() throws IOException {
        app();
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"event\":\"signup\",\"user_id\":\"u\"}");
        }
        asApp().contentType(ContentType.JSON).body(many.append("]").toString()).when().post("/v1/events")
                .then().statusCode(413).contentType("application/problem+json");
        // 64 MiB of spaces compress to about 64 KiB
        byte[] bomb = gzip(("[" + " ".repeat(64 * 1024 * 1024) + "]").getBytes(StandardCharsets.UTF_8));
        asApp().contentType(ContentType.JSON).header("Content-Encoding", "gzip").body(bomb).when().post("/v1/events")
                .then().statusCode(413);
    }

    @Test
    void rotatedKeysStopWorkingWithinSeconds() {
        String app = app();
        String oldKey = writeKey;
        JsonPath rotated = given().header("Authorization", AppsFixture.ADMIN).when().post("/v1/admin/apps/" + app + "/rotate")
                .then().statusCode(200).extract().jsonPath();
        writeKey = rotated.getString("write_key");
        asApp().contentType(ContentType.JSON).body("{\"event\":\"signup\",\"user_id\":\"u\"}").when().post("/v1/events")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().header("Authorization", "Bearer " + oldKey)
                .contentType(ContentType.JSON).body("{\"event\":\"signup\",\"user_id\":\"u\"}")
                .when().post("/v1/events").then().statusCode(401));
        // a read token never writes
        given().header("Authorization", "Bearer " + rotated.getString("read_token")).contentType(ContentType.JSON)
                .body("{\"event\":\"signup\",\"user_id\":\"u\"}").when().post("/v1/events").then().statusCode(401);
    }

    @Test
    void adminApiRulesAreEnforced() {
        JsonPath keys = AppsFixture.createApp("Europe/Berlin");
        given().header("Authorization", AppsFixture.ADMIN).contentType(ContentType.JSON)
                .body("{\"app\":\"" + keys.getString("app") + "\"}").when().post("/v1/admin/apps").then().statusCode(409);
        given().header("Authorization", AppsFixture.ADMIN).contentType(ContentType.JSON)
                .body("{\"app\":\"Bad_Slug\"}").when().post("/v1/admin/apps").then().statusCode(400).body("field", equalTo("app"));
        for (String zone : List.of("Mars/Olympus", "+05:30", "UTC+05:30", "GMT-3", "Z")) {
            given().header("Authorization", AppsFixture.ADMIN).contentType(ContentType.JSON)
                    .body("{\"app\":\"tz-bad\",\"timezone\":\"" + zone + "\"}").when().post("/v1/admin/apps")
                    .then().statusCode(400).body("field", equalTo("timezone"));
        }
        AppsFixture.createApp("Etc/GMT-5");
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON)
                .body("{\"app\":\"x\"}").when().post("/v1/admin/apps").then().statusCode(401);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }
}
