package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.web.problem.Problem;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Header;
import io.restassured.http.Headers;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every endpoint of the query API refuses a request without its app's read token as a 401 problem naming the
 * Authorization header, whatever the shape of the header; another app's data is a 404 only once the token is known.
 * The dashboard and the health checks stay open.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class AuthenticationIT {
    private static final String DAY = LocalDate.now().minusDays(1).toString();
    private static String app;
    private static String token;
    private static String otherApp;

    /** Each endpoint, asked about {@code app} with the given headers. */
    private static List<Function<RequestSpecification, Response>> endpoints(String about) {
        String range = "[\"" + DAY + "\",\"" + DAY + "\"]";
        return List.of(
                r -> r.contentType("application/json").body("{\"app\":\"" + about + "\",\"metrics\":[\"events\"],\"date_range\":" + range + "}")
                        .post("/v1/query"),
                r -> r.contentType("application/json").body("{\"app\":\"" + about + "\",\"steps\":[{\"event\":\"a\"},{\"event\":\"b\"}],"
                        + "\"date_range\":" + range + "}").post("/v1/funnel"),
                r -> r.get("/v1/quality?app=" + about + "&date=" + DAY),
                r -> r.get("/v1/realtime?app=" + about),
                r -> r.get("/v1/users/u1?app=" + about + "&month=" + DAY.substring(0, 7)),
                r -> r.get("/v1/hosts/example.com/activity?app=" + about + "&month=" + DAY.substring(0, 7)),
                r -> r.get("/v1/retention?app=" + about + "&from=" + DAY + "&to=" + DAY),
                r -> r.get("/v1/content/c1?app=" + about + "&from=" + DAY + "&to=" + DAY),
                r -> r.get("/v1/posts/1?app=" + about + "&from=" + DAY + "&to=" + DAY));
    }

    @BeforeAll
    static void apps() {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        otherApp = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), otherApp, "UTC");
    }

    private static void assertProblem(Response answer, int status, String field) {
        assertEquals(status, answer.statusCode(), answer.asString());
        assertEquals(Problem.MEDIA_TYPE, answer.contentType(), answer.asString());
        assertEquals(status, answer.jsonPath().getInt("status"), answer.asString());
        assertEquals(field, answer.jsonPath().getString("field"), answer.asString());
    }

    private static void assertRefused(Headers headers, String why) {
        for (Function<RequestSpecification, Response> endpoint : endpoints(app)) {
            Response answer = endpoint.apply(given().headers(headers));
            assertProblem(answer, 401, "Authorization");
            assertEquals("Bearer", answer.header("WWW-Authenticate"), why);
        }
    }

    private static Headers authorization(String... values) {
        return new Headers(java.util.Arrays.stream(values).map(v -> new Header("Authorization", v)).toList());
    }

    @Test
    void everyEndpointAnswersItsAppsToken() {
        for (Function<RequestSpecification, Response> endpoint : endpoints(app)) {
            Response answer = endpoint.apply(given().header("Authorization", "Bearer " + token));
            // the fixture has no users: the profile's own 404 says the token was taken
            boolean noSuchUser = answer.statusCode() == 404 && "user_id".equals(answer.jsonPath().getString("field"));
            assertTrue(answer.statusCode() == 200 || noSuchUser, answer.asString());
        }
    }

    @Test
    void withoutAKnownTokenEveryEndpointIsA401Problem() {
        assertRefused(new Headers(), "no header");
        assertRefused(authorization("Bearer"), "the scheme alone");
        assertRefused(authorization("Bearer "), "the scheme and a space");
        assertRefused(authorization("Bearer  \t "), "blanks");
        assertRefused(authorization("Basic " + token), "another scheme");
        assertRefused(authorization(token), "no scheme");
        assertRefused(authorization("Bearer\t" + token), "a tab for a space");
        assertRefused(authorization("Bearer pr_unknown"), "an unknown token");
        assertRefused(authorization("Bearer " + token + "x"), "a token one character longer");
        assertRefused(authorization("Bearer " + "x".repeat(8000)), "a very long token");
        assertRefused(authorization("Bearer pr_t\u00f6k\u00e9n"), "a non-ASCII token");
        assertRefused(authorization("Bearer pr_unknown", "Bearer " + token), "an unknown token first of two");
    }

    @Test
    void theSchemeIsCaseInsensitiveAndBlanksAroundTheTokenDoNotCount() {
        for (String header : List.of("bearer " + token, "BEARER " + token, "Bearer   " + token + "  ")) {
            Response answer = given().header("Authorization", header).get("/v1/realtime?app=" + app);
            assertEquals(200, answer.statusCode(), header + ": " + answer.asString());
        }
    }

    @Test
    void anotherAppsDataIsA404ThatDoesNotTellWhetherItExists() {
        String unknown = TestData.newAppId();
        for (int i = 0; i < endpoints(app).size(); i++) {
            Response other = endpoints(otherApp).get(i).apply(given().header("Authorization", "Bearer " + token));
            Response missing = endpoints(unknown).get(i).apply(given().header("Authorization", "Bearer " + token));
            assertProblem(other, 404, "app");
            assertProblem(missing, 404, "app");
            assertEquals(missing.asString().replace(unknown, otherApp), other.asString());
        }
    }

    @Test
    void anotherAppWithoutAKnownTokenIsA401NotA404() {
        for (Function<RequestSpecification, Response> endpoint : endpoints(otherApp)) {
            assertProblem(endpoint.apply(given().header("Authorization", "Bearer pr_unknown")), 401, "Authorization");
            assertProblem(endpoint.apply(given()), 401, "Authorization");
        }
    }

    @Test
    void theDashboardAndTheHealthChecksNeedNoToken() {
        assertEquals(200, given().get("/").statusCode());
        assertEquals(200, given().get("/dashboard/main.js").statusCode());
        assertEquals(200, given().get("/q/health/live").statusCode());
        Response ready = given().header("Authorization", "Bearer pr_unknown").get("/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.asString());
        assertFalse(ready.asString().isEmpty());
        assertEquals(200, given().header("Authorization", "Basic x").get("/").statusCode());
    }
}
