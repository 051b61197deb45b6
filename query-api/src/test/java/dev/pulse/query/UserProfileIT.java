package dev.pulse.query;

import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A user's profile once their raw events are gone (a dropped raw-store partition) while their facts stay. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class UserProfileIT {

    @Test
    void withoutRawEventsTheLastSeenTimeIsNullNotTheTextNull() throws SQLException {
        String app = TestData.newAppId();
        String token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, "UTC");
        LocalDate day = LocalDate.now().minusDays(500);
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            try (PreparedStatement first = c.prepareStatement(
                    "INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts) VALUES (?, 'gone', ?, ?::date + interval '9 hours')")) {
                first.setString(1, app);
                first.setObject(2, day);
                first.setObject(3, day);
                first.executeUpdate();
            }
            try (PreparedStatement devices = c.prepareStatement(
                    "INSERT INTO user_devices_cumulated (app_id, user_id, device, browser, dates_active) VALUES (?, 'gone', 'desktop', 'Firefox', ARRAY[?::date])")) {
                devices.setString(1, app);
                devices.setObject(2, day);
                devices.executeUpdate();
            }
        }
        JsonPath profile = given().header("Authorization", "Bearer " + token)
                .when().get("/v1/users/gone?app=" + app + "&month=" + YearMonth.from(day))
                .then().statusCode(200).extract().jsonPath();
        assertEquals(day.toString(), profile.getString("active_dates[0]"));
        assertNull(profile.get("last_seen"));
    }
}
