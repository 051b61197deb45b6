package dev.pulse.ingest;

import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker refuses every write to events.invalid (its max.message.bytes set below any rejection's size) while
 * events.raw works: the valid events of a request are acknowledged, so the answer stays 202 with the rejections
 * listed, and the lost rejections are counted in a metric instead of turning into a 503 that invites a resend.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
@TestProfile(RejectionsUnpublishedIT.OwnBroker.class)
class RejectionsUnpublishedIT {
    private static final String MIXED = "[{\"event\":\"signup\",\"user_id\":\"u\",\"event_id\":\"%s\"},{\"event\":\"Bad Name\",\"user_id\":\"u\"}]";

    /** Its own Quarkus start and so its own broker: the topic setting cannot reach other tests. */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.ingest.produce-timeout", "8s");
        }
    }

    @Test
    void rejectionsThatCannotBePublishedAreCountedAndTheAnswerStays202() throws Exception {
        JsonPath keys = AppsFixture.createApp("UTC");
        String app = keys.getString("app");
        String writeKey = keys.getString("write_key");
        setInvalidTopicMaxMessageBytes("64");
        try {
            UUID id = UUID.randomUUID();
            given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON).body(MIXED.formatted(id))
                    .when().post("/v1/events").then().statusCode(202).body("accepted", equalTo(1))
                    .body("event_ids", contains(id.toString())).body("rejected.index", contains(1));
            given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON)
                    .body("[{\"event\":\"Bad Name\",\"user_id\":\"u\"}]").when().post("/v1/events")
                    .then().statusCode(400).body("errors[0].index", equalTo(0));
            try (TopicReader raw = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.RAW)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> raw.poll().stream().anyMatch(r -> r.value().contains(id.toString())));
            }
            String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("pulse_ingest_rejections_unpublished_total{app=\"" + app + "\"} 2.0"), metrics);
        } finally {
            setInvalidTopicMaxMessageBytes(null);
        }
        // the broker takes rejections again: the channel was not broken by the failures
        given().header("Authorization", "Bearer " + writeKey).contentType(ContentType.JSON).body(MIXED.formatted(UUID.randomUUID()))
                .when().post("/v1/events").then().statusCode(202);
        try (TopicReader invalid = new TopicReader(PulseInfrastructure.current().bootstrapServers(), Topics.INVALID)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> invalid.poll().stream().filter(r -> r.value().contains(app)).count() == 1);
        }
    }

    /** @param value the topic's max.message.bytes, or null for the broker default */
    private static void setInvalidTopicMaxMessageBytes(String value) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", PulseInfrastructure.current().bootstrapServers()))) {
            ConfigEntry entry = new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, value);
            AlterConfigOp op = new AlterConfigOp(entry, value == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.INVALID), List.of(op))).all().get();
        }
    }
}
