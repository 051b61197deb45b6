package dev.pulse.ingest;

import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** With no broker to take the events, ingest answers 503 with Retry-After within its bound, and is not ready. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
@TestProfile(KafkaUnreachableIT.NoBroker.class)
class KafkaUnreachableIT {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a port nothing listens on; short bounds so the test stays quick
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:9", "pulse.ingest.produce-timeout", "3s",
                    "mp.messaging.outgoing.events-raw.max.block.ms", "1500", "mp.messaging.outgoing.events-invalid.max.block.ms", "1500",
                    "pulse.ingest.topics.creation-timeout", "2s");
        }
    }

    @Test
    void eventsAreRefusedWith503AndReadinessIsDown() {
        String writeKey = AppsFixture.createApp("UTC").getString("write_key");
        given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON)
                .body("{\"event\":\"signup\",\"user_id\":\"u\"}")
                .when().post("/v1/events").then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue()).body("status", equalTo(503));
        given().when().get("/q/health/ready").then().statusCode(503);
    }
}
