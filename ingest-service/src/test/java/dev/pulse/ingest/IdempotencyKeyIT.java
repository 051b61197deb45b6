package dev.pulse.ingest;

import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** SPEC §8: a resend of a request with the same Idempotency-Key carries the same event ids, so dedup drops it. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class IdempotencyKeyIT {
    private static final String BODY = """
            [{"event":"signup","user_id":"a"},
             {"event":"signup","user_id":"b","event_id":"%s"},
             {"event":"Not Valid","user_id":"c"},
             {"event":"referral","user_id":"d"}]""";

    private String writeKey;

    private RequestSpecification asApp() {
        if (writeKey == null) {
            writeKey = AppsFixture.createApp("UTC").getString("write_key");
        }
        return given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON);
    }

    private List<String> send(String key, String body) {
        RequestSpecification request = key == null ? asApp() : asApp().header("Idempotency-Key", key);
        return request.body(body).when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(3))
                .extract().jsonPath().getList("event_ids");
    }

    @Test
    void aResendWithTheSameKeyCarriesTheSameIds() {
        String body = BODY.formatted(UUID.randomUUID());
        String key = "checkout-" + UUID.randomUUID();
        List<String> first = send(key, body);
        List<String> resend = send(key, body);
        assertEquals(first, resend);
        assertEquals(5, UUID.fromString(first.get(0)).version());
        assertEquals(5, UUID.fromString(first.get(2)).version());
        List<String> otherKey = send(key + "-2", body);
        assertNotEquals(first.get(0), otherKey.get(0));
        assertEquals(first.get(1), otherKey.get(1), "an event_id the client sent is always kept");
        List<String> noKey = send(null, body);
        assertEquals(7, UUID.fromString(noKey.get(0)).version());
        assertNotEquals(noKey.get(0), send(null, body).get(0));

        // both copies reach events.raw with one id: enrich's dedup by (app_id, event_id) keeps one
        try (TopicReader raw = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.RAW)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> raw.poll().stream()
                    .filter(r -> r.value().contains(first.get(2))).count() == 2);
        }
    }

    @Test
    void aKeyThatIsNotPrintableAsciiUpTo255IsRefusedNamingTheHeader() {
        for (String key : List.of("k".repeat(256), "tab\there", "ü")) {
            asApp().header("Idempotency-Key", key).body(BODY.formatted(UUID.randomUUID())).when().post("/v1/events")
                    .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("Idempotency-Key"));
        }
        asApp().header("Idempotency-Key", "k".repeat(255)).body(BODY.formatted(UUID.randomUUID())).when().post("/v1/events")
                .then().statusCode(202);
    }
}
