package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At start query-api reads and merges a made-up month by post through the day state's code, on the real database,
 * and is ready once that is over: the warm-up's check reports the rows it read and the posts they merged into.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class WarmUpIT {
    @Test
    void theStartsWarmUpReadsAndMergesAMonthByPostBeforeTheInstanceIsReady() {
        int rows = ConfigProvider.getConfig().getValue("pulse.query.warm-up-rows", Integer.class);
        assertTrue(rows >= 25, "a warm-up of rows");
        // 25 rows per post: g % (rows / 25) over g = 1..rows
        String expected = "%d rows, %d groups merged in ".formatted(rows, rows / 25);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath ready = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
            String outcome = ready.getString("checks.find { it.name == 'warm-up' }.data.outcome");
            assertTrue(outcome != null && outcome.startsWith(expected) && outcome.endsWith(" ms"), String.valueOf(outcome));
        });
    }
}
