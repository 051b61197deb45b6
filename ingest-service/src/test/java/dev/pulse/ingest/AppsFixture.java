package dev.pulse.ingest;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Creates apps through the admin API, as an operator would. */
final class AppsFixture {
    static final String ADMIN = "Bearer test-admin-token";

    private AppsFixture() {
    }

    static JsonPath createApp(String timezone) {
        String app = "app-" + UUID.randomUUID().toString().substring(0, 8);
        return given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"timezone\":\"" + timezone + "\"}")
                .when().post("/v1/admin/apps")
                .then().statusCode(201).extract().jsonPath();
    }
}
