package dev.pulse.query;

import dev.pulse.web.problem.Problem;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A store out of reach is a 503 problem with Retry-After on every endpoint that needs it, never a 500. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class StoresDownIT {
    private static final String DAY = LocalDate.now().minusDays(1).toString();

    private static Response query(String token, String app) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + DAY + "\",\"" + DAY + "\"]}")
                .when().post("/v1/query");
    }

    private static Response get(String token, String path) {
        return given().header("Authorization", "Bearer " + token).when().get(path);
    }

    private static void assertUnavailable(Response answer, String store) {
        assertEquals(503, answer.statusCode(), answer.asString());
        assertEquals(Problem.MEDIA_TYPE, answer.contentType());
        assertTrue(Integer.parseInt(answer.header("Retry-After")) > 0, "Retry-After: " + answer.header("Retry-After"));
        assertTrue(answer.jsonPath().getString("detail").contains(store), answer.asString());
    }

    @Test
    void postgresDownIs503ThenAnswersAgain() throws Exception {
        String app = TestData.newAppId();
        String token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        assertEquals(200, query(token, app).statusCode());
        List<Response> answers = new ArrayList<>();
        PulseInfrastructure.current().withPostgresDown(Duration.ofSeconds(1), () -> {
            answers.add(query(token, app));
            answers.add(get(token, "/v1/quality?app=" + app + "&date=" + DAY));
            answers.add(get(token, "/v1/users/u1?app=" + app));
        });
        answers.forEach(a -> assertUnavailable(a, "PostgreSQL"));
        await().atMost(Duration.ofSeconds(60)).until(() -> query(token, app).statusCode() == 200);
    }

    @Test
    void redisDownIs503() throws Exception {
        String app = TestData.newAppId();
        String token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        assertEquals(200, get(token, "/v1/realtime?app=" + app).statusCode());
        List<Response> answers = new ArrayList<>();
        PulseInfrastructure.current().withRedisDown(() -> answers.add(get(token, "/v1/realtime?app=" + app)));
        assertUnavailable(answers.getFirst(), "Redis");
        await().atMost(Duration.ofSeconds(60)).until(() -> get(token, "/v1/realtime?app=" + app).statusCode() == 200);
    }
}
