package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.query.config.QueryConfig;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At start query-api reads and merges a made-up month by post through the day state's code, on the real database, as
 * many times as configured, and is ready once that is over: the warm-up's check reports the rows it read, the posts
 * they merged into and the passes.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class WarmUpIT {
    @Inject
    QueryConfig config;

    @Test
    void theStartsWarmUpReadsAndMergesAMonthByPostBeforeTheInstanceIsReady() {
        int rows = config.warmUpRows();
        assertTrue(rows >= 25, "a warm-up of rows");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        JsonPath check = given().get("/q/health/ready").then().extract().jsonPath().setRootPath("checks.find { it.name == 'warm-up' }.data");
        assertEquals("done", check.getString("status"));
        assertEquals(rows, check.getInt("rows"));
        // 25 days of each post: rows / 25 posts
        assertEquals(rows / 25, check.getInt("groups"));
        assertEquals(config.warmUpPasses(), check.getInt("passes"));
    }
}
