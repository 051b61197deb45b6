package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the shipped configuration: a breakdown into more groups than max-rows (100,000) is refused after reading
 * max-rows + 1 rows, whatever the store holds, while a question about the same events that holds few rows is answered.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class QueryDefaultCapIT {
    private static final int MAX_ROWS = 100_000;
    private static final int POSTS = 150_000;
    private static final LocalDate DAY = LocalDate.of(2026, 8, 3);

    @Test
    void aBreakdownIntoMoreGroupsThanTheDefaultCapIsA400() throws SQLException {
        String app = TestData.newAppId();
        String token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, post_id)
                     SELECT ?, ?, gen_random_uuid(), ?::date + interval '12 hours', ?::date + interval '12 hours', 'feed.view', 'engagement',
                            'u' || (g % 1000), g
                     FROM generate_series(1, ?) AS g""")) {
            insert.setString(1, app);
            insert.setObject(2, DAY);
            insert.setObject(3, DAY);
            insert.setObject(4, DAY);
            insert.setInt(5, POSTS);
            insert.executeUpdate();
            // what aggregate keeps: the rollups answer a breakdown by post (V37), the daily facts the total of posts (V39)
            QueryFixture.rollUp(c, app);
        }
        String range = "\"date_range\":[\"" + DAY + "\",\"" + DAY + "\"]";
        Response tooBig = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\"]," + range + ",\"dimensions\":[\"post:id\"]}").when().post("/v1/query");
        assertEquals(400, tooBig.statusCode(), tooBig.asString());
        assertEquals("dimensions", tooBig.jsonPath().getString("field"));
        assertTrue(tooBig.jsonPath().getString("detail").contains(String.valueOf(MAX_ROWS)), tooBig.asString());
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"posts\",\"views\"]," + range + "}").when().post("/v1/query")
                .then().statusCode(200).body("results[0].metrics[0]", org.hamcrest.Matchers.equalTo(POSTS))
                .body("results[0].metrics[1]", org.hamcrest.Matchers.equalTo(POSTS));
    }
}
