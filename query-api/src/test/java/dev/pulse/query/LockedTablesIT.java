package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table locked exclusively (on a replica: the replay of the primary's partition DDL, which waits for the
 * replica's running queries) is not the question's fault: after lock_timeout, shorter than the statement timeout
 * whose cancellation would be a 400 to narrow the question, the answer is a 503 with Retry-After.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
@TestProfile(LockedTablesIT.ShortLockTimeout.class)
class LockedTablesIT {
    public static class ShortLockTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.query.lock-timeout-ms", "300");
        }
    }

    @Test
    void aTableLockedLongerThanTheLockTimeoutIsA503ThenAnswered() throws SQLException {
        String app = TestData.newAppId();
        String token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate first = LocalDate.of(2026, 4, 6);
        QueryFixture data = new QueryFixture(app, ZoneId.of("UTC"), first, 3, 4);
        String body = "{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + first + "\",\"" + first.plusDays(2) + "\"]}";
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE events, fact_user_daily, user_first_seen IN ACCESS EXCLUSIVE MODE");
            try {
                Response response = query(token, body);
                assertEquals(503, response.statusCode(), response.asString());
                assertTrue(response.contentType().startsWith("application/problem+json"));
                assertEquals("1", response.header("Retry-After"));
            } finally {
                c.rollback();
            }
        }
        Response answered = query(token, body);
        assertEquals(200, answered.statusCode(), answered.asString());
        assertEquals(data.events.size(), answered.jsonPath().getLong("results[0].metrics[0]"), "answered once the lock is gone");
    }

    private static Response query(String token, String body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body).when().post("/v1/query");
    }
}
