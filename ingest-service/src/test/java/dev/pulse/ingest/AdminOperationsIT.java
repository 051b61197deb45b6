package dev.pulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schema.KeyHash;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The admin API of issue 20: erasure requests (recorded, published, reported) and per-app retention. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class AdminOperationsIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static TopicReader erasures;

    @BeforeAll
    static void openTopic() {
        erasures = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.ERASURES);
    }

    @AfterAll
    static void closeTopic() {
        erasures.close();
    }

    private static Response erase(String app, String user) {
        return given().header("Authorization", AppsFixture.ADMIN).when().delete("/v1/admin/apps/" + app + "/users/" + user);
    }

    @Test
    void anErasureIsRecordedWithoutPersonalDataPublishedAndReportedPerService() throws Exception {
        String app = AppsFixture.createApp("UTC").getString("app");
        Response accepted = erase(app, "user-7");
        accepted.then().statusCode(202).body("status", equalTo("pending")).body("app", equalTo(app));
        String id = accepted.jsonPath().getString("erasure_id");
        assertEquals("/v1/admin/apps/" + app + "/erasures/" + id, java.net.URI.create(accepted.header("Location")).getPath());

        await().atMost(Duration.ofSeconds(20)).until(() -> erasures.poll().stream().anyMatch(r -> r.value().contains(id)));
        ConsumerRecord<String, String> record = erasures.poll().stream().filter(r -> r.value().contains(id)).findFirst().orElseThrow();
        JsonNode command = MAPPER.readTree(record.value());
        assertEquals(app, command.get("app_id").asText());
        assertEquals("user-7", command.get("user_id").asText());
        assertEquals(Topics.userKey(app, "user-7"), record.key());

        String audit = queryString("SELECT row_to_json(r)::text FROM erasure_requests r WHERE erasure_id = '" + id + "'");
        assertFalse(audit.contains("user-7"), "the audit record holds no user id: " + audit);
        assertFalse(audit.contains("test-admin-token"), "nor the admin token: " + audit);
        // not even a hash of it: hashing guessed ids would tell who asked to be erased
        assertFalse(audit.contains(KeyHash.of(Topics.userKey(app, "user-7"))), "the audit record holds no hash of the user: " + audit);
        assertFalse(audit.contains(KeyHash.of("user-7")), "the audit record holds no hash of the user: " + audit);
        assertEquals("erasure_id,app_id,requested_by,requested_at", queryString(
                "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'erasure_requests'"));
        assertEquals("admin-token:" + KeyHash.of("test-admin-token").substring(0, 12),
                queryString("SELECT requested_by FROM erasure_requests WHERE erasure_id = '" + id + "'"));

        String status = "/v1/admin/apps/" + app + "/erasures/" + id;
        given().header("Authorization", AppsFixture.ADMIN).when().get(status).then().statusCode(200)
                .body("status", equalTo("pending")).body("services.size()", equalTo(0));
        // as enrich-service and aggregate-service record their parts, in their own tables
        execute("INSERT INTO enrich_erasures (erasure_id, app_id, deleted_rows) VALUES ('" + id + "', '" + app + "', '{\"dim_users\": 2}')");
        given().header("Authorization", AppsFixture.ADMIN).when().get(status).then().statusCode(200)
                .body("status", equalTo("pending")).body("services.enrich-service.deleted_rows.dim_users", equalTo(2));
        execute("INSERT INTO aggregate_erasures (erasure_id, app_id, deleted_rows) VALUES ('" + id + "', '" + app + "', '{\"events\": 41, \"days_rebuilt\": 3}')");
        given().header("Authorization", AppsFixture.ADMIN).when().get(status).then().statusCode(200)
                .body("status", equalTo("completed")).body("services.aggregate-service.deleted_rows.events", equalTo(41))
                .body("requested_by", equalTo("admin-token:" + KeyHash.of("test-admin-token").substring(0, 12)));

        String again = erase(app, "user-7").then().statusCode(202).extract().jsonPath().getString("erasure_id");
        assertNotEquals(id, again, "each request is recorded; executing the same erasure again deletes nothing more");
    }

    @Test
    void erasureRequestsAreChecked() {
        String app = AppsFixture.createApp("UTC").getString("app");
        given().when().delete("/v1/admin/apps/" + app + "/users/u1").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").when().delete("/v1/admin/apps/" + app + "/users/u1").then().statusCode(401);
        erase("no-such-app", "u1").then().statusCode(404).body("field", equalTo("app"));
        erase(app, "x".repeat(129)).then().statusCode(400).body("field", equalTo("user_id"));
        // a NUL (%00) could never be looked up in PostgreSQL: refused here, not retried forever downstream
        given().urlEncodingEnabled(false).header("Authorization", AppsFixture.ADMIN).when().delete("/v1/admin/apps/" + app + "/users/u%001")
                .then().statusCode(400).body("field", equalTo("user_id"));
        given().header("Authorization", AppsFixture.ADMIN).when().get("/v1/admin/apps/" + app + "/erasures/not-a-uuid")
                .then().statusCode(400).body("field", equalTo("id"));
        given().header("Authorization", AppsFixture.ADMIN).when().get("/v1/admin/apps/" + app + "/erasures/" + java.util.UUID.randomUUID())
                .then().statusCode(404);
        String other = AppsFixture.createApp("UTC").getString("app");
        String id = erase(other, "u1").then().statusCode(202).extract().jsonPath().getString("erasure_id");
        given().header("Authorization", AppsFixture.ADMIN).when().get("/v1/admin/apps/" + app + "/erasures/" + id)
                .then().statusCode(404);
    }

    @Test
    void retentionIsValidatedAndStored() {
        String app = AppsFixture.createApp("UTC").getString("app");
        putRetention(app, "{\"days\": 30}").then().statusCode(200).body("app", equalTo(app)).body("days", equalTo(30));
        assertEquals("30", queryString("SELECT retention_days FROM apps WHERE app_id = '" + app + "'"));
        for (String bad : List.of("{\"days\": 0}", "{\"days\": 3651}", "{\"days\": 1.5}", "{\"days\": \"30\"}", "{}", "[]",
                // integers whose low 64 bits are 1 and 30: read as a long they would pass for a short retention
                "{\"days\": 18446744073709551617}", "{\"days\": -18446744073709551586}", "{\"days\": -5}",
                "{\"days\": true}")) {
            putRetention(app, bad).then().statusCode(400).body("field", equalTo("days"));
        }
        assertEquals("30", queryString("SELECT retention_days FROM apps WHERE app_id = '" + app + "'"), "a refused value changes nothing");
        putRetention(app, "{\"days\": null}").then().statusCode(200).body("days", nullValue());
        assertEquals(null, queryString("SELECT retention_days FROM apps WHERE app_id = '" + app + "'"));
        putRetention("no-such-app", "{\"days\": 30}").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"days\": 30}").when().put("/v1/admin/apps/" + app + "/retention").then().statusCode(401);
    }

    @Test
    void sessionTimeoutIsValidatedAndStored() {
        String app = AppsFixture.createApp("UTC").getString("app");
        assertEquals("1800", queryString("SELECT session_timeout_seconds FROM apps WHERE app_id = '" + app + "'"), "the default");
        putSetting(app, "sessions", "{\"timeout_seconds\": 900}").then().statusCode(200).body("app", equalTo(app))
                .body("timeout_seconds", equalTo(900));
        assertEquals("900", queryString("SELECT session_timeout_seconds FROM apps WHERE app_id = '" + app + "'"));
        assertEquals("1", queryString("SELECT session_timeout_version FROM apps WHERE app_id = '" + app + "'"), "a change is counted");
        putSetting(app, "sessions", "{\"timeout_seconds\": 900}").then().statusCode(200);
        assertEquals("1", queryString("SELECT session_timeout_version FROM apps WHERE app_id = '" + app + "'"),
                "the same value again is no change: aggregate-service does not rebuild the app's sessions for it");
        for (String bad : List.of("{\"timeout_seconds\": 59}", "{\"timeout_seconds\": 86401}", "{\"timeout_seconds\": 60.5}",
                "{\"timeout_seconds\": \"900\"}", "{\"timeout_seconds\": null}", "{}", "[]", "{\"timeout_seconds\": true}",
                // low 64 bits 900: read as a long it would pass
                "{\"timeout_seconds\": 18446744073709552516}")) {
            putSetting(app, "sessions", bad).then().statusCode(400).body("field", equalTo("timeout_seconds"));
        }
        assertEquals("900", queryString("SELECT session_timeout_seconds FROM apps WHERE app_id = '" + app + "'"), "a refused value changes nothing");
        putSetting(app, "sessions", "{\"timeout_seconds\": 60}").then().statusCode(200);
        putSetting(app, "sessions", "{\"timeout_seconds\": 86400}").then().statusCode(200);
        putSetting("no-such-app", "sessions", "{\"timeout_seconds\": 900}").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"timeout_seconds\": 900}").when().put("/v1/admin/apps/" + app + "/sessions")
                .then().statusCode(401);
    }

    @Test
    void customEventCategoriesAreValidatedStoredAndReplacedWhole() throws Exception {
        String app = AppsFixture.createApp("UTC").getString("app");
        putCategories(app, "{\"categories\": {\"video_upload\": \"engagement\", \"invite_sent\": \"growth\"}}").then().statusCode(200)
                .body("app", equalTo(app)).body("categories.video_upload", equalTo("engagement")).body("categories.invite_sent", equalTo("growth"));
        JsonNode stored = MAPPER.readTree(queryString("SELECT category_map::text FROM apps WHERE app_id = '" + app + "'"));
        assertEquals(MAPPER.readTree("{\"video_upload\": \"engagement\", \"invite_sent\": \"growth\"}"), stored);
        given().header("Authorization", AppsFixture.ADMIN).when().get("/v1/admin/apps/" + app + "/categories").then().statusCode(200)
                .body("categories.invite_sent", equalTo("growth"));

        String tooMany = java.util.stream.IntStream.rangeClosed(0, 1000).mapToObj(i -> "\"e" + i + "\": \"other\"")
                .collect(java.util.stream.Collectors.joining(",", "{\"categories\": {", "}}"));
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"categories\": {\"purchase\": \"growth\"}}", "categories.purchase");
        refused.put("{\"categories\": {\"video_upload\": \"fun\"}}", "categories.video_upload");
        refused.put("{\"categories\": {\"video_upload\": \"ENGAGEMENT\"}}", "categories.video_upload");
        refused.put("{\"categories\": {\"video_upload\": 1}}", "categories.video_upload");
        refused.put("{\"categories\": {\"Video Upload\": \"engagement\"}}", "categories");
        refused.put("{\"categories\": {\"bad\\u0000name\": \"engagement\"}}", "categories");
        refused.put("{\"categories\": []}", "categories");
        refused.put("{}", "categories");
        refused.put(tooMany, "categories");
        refused.forEach((body, field) -> putCategories(app, body).then().statusCode(400).body("field", equalTo(field)));
        assertEquals(stored, MAPPER.readTree(queryString("SELECT category_map::text FROM apps WHERE app_id = '" + app + "'")),
                "a refused map changes nothing");

        putCategories(app, "{\"categories\": {}}").then().statusCode(200);
        assertEquals("{}", queryString("SELECT category_map::text FROM apps WHERE app_id = '" + app + "'"), "a PUT replaces the whole map");
        putCategories("no-such-app", "{\"categories\": {}}").then().statusCode(404);
        given().header("Authorization", AppsFixture.ADMIN).when().get("/v1/admin/apps/no-such-app/categories").then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"categories\": {}}").when().put("/v1/admin/apps/" + app + "/categories").then().statusCode(401);
    }

    private static Response putCategories(String app, String body) {
        return putSetting(app, "categories", body);
    }

    private static Response putRetention(String app, String body) {
        return putSetting(app, "retention", body);
    }

    private static Response putSetting(String app, String setting, String body) {
        return given().header("Authorization", AppsFixture.ADMIN).contentType(ContentType.JSON).body(body)
                .when().put("/v1/admin/apps/" + app + "/" + setting);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String queryString(String sql) {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
