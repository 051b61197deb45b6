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

@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
@TestProfile(RateLimitIT.TightLimit.class)
class RateLimitIT {

    public static class TightLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.ingest.rate-limit.events-per-second", "0.5", "pulse.ingest.rate-limit.burst", "10");
        }
    }

    @Test
    void anAppOverItsRateGets429WithRetryAfterAndOthersAreUnaffected() {
        String busy = AppsFixture.createApp("UTC").getString("write_key");
        String quiet = AppsFixture.createApp("UTC").getString("write_key");
        String eight = "[" + "{\"event\":\"signup\",\"user_id\":\"u\"},".repeat(7) + "{\"event\":\"signup\",\"user_id\":\"u\"}]";
        given().header("Authorization", "Bearer " + busy).contentType(ContentType.JSON).body(eight)
                .when().post("/v1/events").then().statusCode(202);
        given().header("Authorization", "Bearer " + busy).contentType(ContentType.JSON).body(eight)
                .when().post("/v1/events").then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue()).body("status", equalTo(429));
        given().header("Authorization", "Bearer " + quiet).contentType(ContentType.JSON).body(eight)
                .when().post("/v1/events").then().statusCode(202);
    }

    @Test
    void requestsOfInvalidEventsOnlyCountAgainstTheLimitToo() {
        String abusive = AppsFixture.createApp("UTC").getString("write_key");
        String eightInvalid = "[" + "{\"event\":\"Bad Name\",\"user_id\":\"u\"},".repeat(7) + "{\"user_id\":\"u\"}]";
        given().header("Authorization", "Bearer " + abusive).contentType(ContentType.JSON).body(eightInvalid)
                .when().post("/v1/events").then().statusCode(400);
        given().header("Authorization", "Bearer " + abusive).contentType(ContentType.JSON).body(eightInvalid)
                .when().post("/v1/events").then().statusCode(429).header("Retry-After", notNullValue());
        String eightValid = eightInvalid.replace("Bad Name", "signup").replace("{\"user_id\"", "{\"event\":\"signup\",\"user_id\"");
        given().header("Authorization", "Bearer " + abusive).contentType(ContentType.JSON).body(eightValid)
                .when().post("/v1/events").then().statusCode(429);
    }
}
