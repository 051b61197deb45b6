package dev.pulse.ingest;

import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
@TestProfile(RateLimitIT.TightLimit.class)
class RateLimitIT {

    public static class TightLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a request may not be larger than the burst (the service refuses to start so): batches of up to 10 here
            return Map.of("pulse.ingest.rate-limit.events-per-second", "0.5", "pulse.ingest.rate-limit.burst", "10",
                    "pulse.ingest.max-events-per-request", "10");
        }
    }

    @Inject
    RedisDataSource redis;

    @Test
    void theServiceDecidesByTheBucketInRedisThatOtherReplicasSpendToo() {
        JsonPath created = AppsFixture.createApp("UTC");
        String app = created.getString("app");
        String key = created.getString("write_key");
        String one = "{\"event\":\"signup\",\"user_id\":\"u\"}";
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(one)
                .when().post("/v1/events").then().statusCode(202);
        String bucket = RedisKeys.rateLimit(app);
        assertEquals("9.000000", redis.hash(String.class).hget(bucket, "tokens").substring(0, 8), "one of the 10 tokens taken, in Redis");
        // another replica spends the rest of the bucket: this one refuses the next request
        redis.hash(String.class).hset(bucket, "tokens", "0");
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(one)
                .when().post("/v1/events").then().statusCode(429).header("Retry-After", notNullValue());
        // Redis decided both, no request fell back to the instance's own bucket
        given().when().get("/q/metrics").then().statusCode(200)
                .body(not(containsString("pulse_ingest_rate_limit_fallback_total{app=\"" + app + "\"")));
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
