package dev.pulse.ingest;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.web.problem.Problem;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each endpoint takes its own kind of credential only: a write key sends events and catalog, the admin token
 * manages apps; any other credential, or a malformed header, is a 401 problem naming the Authorization header.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class AuthenticationIT {
    private static final List<Function<RequestSpecification, Response>> WRITER_ENDPOINTS = List.of(
            r -> r.contentType(ContentType.JSON).body("{\"event\":\"signup\",\"user_id\":\"u\"}").post("/v1/events"),
            r -> r.contentType(ContentType.JSON).body("{\"title\":\"t\"}").put("/v1/catalog/content/c1"));

    private static List<Function<RequestSpecification, Response>> adminEndpoints(String app) {
        String base = "/v1/admin/apps/" + app;
        return List.of(
                r -> r.contentType(ContentType.JSON).body("{\"app\":\"" + app + "-new\",\"timezone\":\"UTC\"}").post("/v1/admin/apps"),
                r -> r.post(base + "/rotate"),
                r -> r.delete(base + "/users/u1"),
                r -> r.get(base + "/erasures/00000000-0000-0000-0000-000000000000"),
                r -> r.contentType(ContentType.JSON).body("{\"days\":90}").put(base + "/retention"),
                r -> r.contentType(ContentType.JSON).body("{\"timeout_seconds\":900}").put(base + "/sessions"),
                r -> r.contentType(ContentType.JSON).body("{\"categories\":{}}").put(base + "/categories"),
                r -> r.get(base + "/categories"));
    }

    private static void assertRefused(List<Function<RequestSpecification, Response>> endpoints, String authorization) {
        for (Function<RequestSpecification, Response> endpoint : endpoints) {
            RequestSpecification request = given();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            Response answer = endpoint.apply(request);
            assertEquals(401, answer.statusCode(), authorization + ": " + answer.asString());
            assertEquals(Problem.MEDIA_TYPE, answer.contentType(), answer.asString());
            assertEquals("Authorization", answer.jsonPath().getString("field"), answer.asString());
            assertEquals("Bearer", answer.header("WWW-Authenticate"));
        }
    }

    @Test
    void writeEndpointsTakeAWriteKeyOnly() {
        JsonPath keys = AppsFixture.createApp("UTC");
        for (String authorization : new String[] {null, "Bearer", "Bearer   ", "Basic " + keys.getString("write_key"),
                "Bearer\t" + keys.getString("write_key"), AppsFixture.ADMIN, "Bearer " + keys.getString("read_token"),
                "Bearer " + "x".repeat(8000), "Bearer pw_t\u00f6k\u00e9n"}) {
            assertRefused(WRITER_ENDPOINTS, authorization);
        }
        Response accepted = WRITER_ENDPOINTS.getFirst().apply(given().header("Authorization", "bearer  " + keys.getString("write_key") + " "));
        assertEquals(202, accepted.statusCode(), accepted.asString());
    }

    @Test
    void adminEndpointsTakeTheAdminTokenOnly() {
        JsonPath keys = AppsFixture.createApp("UTC");
        String app = keys.getString("app");
        for (String authorization : new String[] {null, "Bearer", "Bearer   ", "Basic test-admin-token", "Bearer\ttest-admin-token",
                "Bearer test-admin-token-", "Bearer " + keys.getString("write_key"), "Bearer " + keys.getString("read_token"),
                "Bearer " + "x".repeat(8000), "Bearer t\u00f6k\u00e9n"}) {
            assertRefused(adminEndpoints(app), authorization);
        }
        Response categories = given().header("Authorization", "bearer test-admin-token ").get("/v1/admin/apps/" + app + "/categories");
        assertEquals(200, categories.statusCode(), categories.asString());
    }

    @Test
    void healthNeedsNoCredential() {
        assertEquals(200, given().get("/q/health/live").statusCode());
        assertEquals(200, given().header("Authorization", "Bearer nonsense").get("/q/health/ready").statusCode());
    }
}
