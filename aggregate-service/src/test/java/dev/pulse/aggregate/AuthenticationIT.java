package dev.pulse.aggregate;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.web.problem.Problem;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The recompute endpoint takes aggregate's admin token only; every refusal is a 401 problem naming Authorization. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class AuthenticationIT {
    private static Response recompute(RequestSpecification request) {
        return request.contentType(ContentType.JSON).body("{\"app\":\"no-such-app\",\"from\":\"2026-11-01\",\"to\":\"2026-11-01\"}")
                .post("/v1/admin/recompute");
    }

    @Test
    void recomputeTakesTheAdminTokenOnly() {
        for (String authorization : new String[] {null, "Bearer", "Bearer   ", "Basic test-admin-token", "Bearer\ttest-admin-token",
                "Bearer test-admin-token-", "Bearer pw_a-write-key", "Bearer " + "x".repeat(8000), "Bearer t\u00f6k\u00e9n"}) {
            RequestSpecification request = given();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            Response answer = recompute(request);
            assertEquals(401, answer.statusCode(), authorization + ": " + answer.asString());
            assertEquals(Problem.MEDIA_TYPE, answer.contentType(), answer.asString());
            assertEquals("Authorization", answer.jsonPath().getString("field"), answer.asString());
            assertEquals("Bearer", answer.header("WWW-Authenticate"));
        }
        Response taken = recompute(given().header("Authorization", "bearer  test-admin-token "));
        assertEquals(200, taken.statusCode(), taken.asString());
    }

    @Test
    void healthNeedsNoCredential() {
        assertEquals(200, given().get("/q/health/live").statusCode());
        assertEquals(200, given().header("Authorization", "Bearer nonsense").get("/q/health/ready").statusCode());
    }
}
