package dev.pulse.ingest;

import dev.pulse.web.problem.Problem;
import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PostgreSQL out of reach when a write key is not in the cache: 503 problem with Retry-After, so clients resend. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class PostgresDownIT {
    private static Response send(String writeKey) {
        return given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON)
                .body("{\"event\":\"signup\",\"user_id\":\"u\"}").when().post("/v1/events");
    }

    @Test
    void aKeyNotCachedIsA503WhilePostgresIsDownThenAccepted() throws Exception {
        // created, never used: its key is not cached, so checking it needs PostgreSQL
        String writeKey = AppsFixture.createApp("UTC").getString("write_key");
        List<Response> answers = new ArrayList<>();
        PulseInfrastructure.current().withPostgresDown(Duration.ofSeconds(1), () -> {
            answers.add(send(writeKey));
            answers.add(given().header("Authorization", AppsFixture.ADMIN).contentType(ContentType.JSON)
                    .body("{\"app\":\"down-app\",\"timezone\":\"UTC\"}").when().post("/v1/admin/apps"));
        });
        for (Response answer : answers) {
            assertEquals(503, answer.statusCode(), answer.asString());
            assertEquals(Problem.MEDIA_TYPE, answer.contentType());
            assertTrue(Integer.parseInt(answer.header("Retry-After")) > 0);
            assertTrue(answer.jsonPath().getString("detail").contains("PostgreSQL"), answer.asString());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> send(writeKey).statusCode() == 202);
    }
}
