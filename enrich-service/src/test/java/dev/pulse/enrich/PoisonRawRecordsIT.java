package dev.pulse.enrich;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.contract.StorableText;
import dev.pulse.contract.Topics;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.contract.testing.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Records that never went through ingest (written to events.raw directly) meet the same accepted values in enrich:
 * poison of one app, on the same partition between another app's events, is rejected to events.invalid by the field
 * family at fault, and the other app's events before and after it are enriched.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class PoisonRawRecordsIT {
    private static String raw(String app, String eventFields) {
        return raw(app, Instant.now().toString(), eventFields);
    }

    private static String raw(String app, String timestamp, String eventFields) {
        return "{\"app_id\":\"" + app + "\",\"received_at\":\"" + Instant.now() + "\",\"clock_clamped\":false,\"event\":{"
                + "\"event_id\":\"" + UUID.randomUUID() + "\",\"timestamp\":\"" + timestamp + "\"," + eventFields + "}}";
    }

    @Test
    void poisonIsRejectedAndTheEventsAroundItAreEnriched() {
        PulseInfrastructure infra = PulseInfrastructure.current();
        String victim = TestData.newAppId();
        String hostile = TestData.newAppId();
        TestData.createApp(infra.dataSource(), victim, "UTC");
        TestData.createApp(infra.dataSource(), hostile, "UTC");
        // poison → the reason it must be counted under
        Map<String, String> poison = new LinkedHashMap<>();
        poison.put("\"event\":\"signup\",\"user_id\":\"p\\u0000\"", "user_id");
        poison.put("\"event\":\"signup\",\"user_id\":\"p\",\"user\":{\"city\":\"\\u0000\"}", "user.city");
        poison.put("\"event\":\"signup\",\"user_id\":\"p\",\"user\":{\"os\":\"\\ud800\"}", "user.os");
        poison.put("\"event\":\"signup\",\"user_id\":\"p\",\"properties\":{\"k\\u0000\":1}", "properties");
        poison.put("\"event\":\"signup\",\"user_id\":\"p\",\"context\":{\"url\":\"\\u0000\"}", "context.url");
        poison.put("\"event\":\"signup\",\"user_id\":\"p\",\"properties\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{}}}}}}", "properties");
        poison.put("\"event\":\"content.engagement\",\"user_id\":\"p\",\"properties\":{\"content_id\":\"c\",\"duration_ms\":1e30}", "properties.duration_ms");
        poison.put("\"event\":\"feed.view\",\"user_id\":\"p\",\"properties\":{\"post_id\":9223372036854775808}", "properties.post_id");
        List<String> records = new ArrayList<>();
        records.add(raw(victim, "\"event\":\"signup\",\"user_id\":\"before\",\"user\":{\"city\":\"Berlin\"}"));
        poison.keySet().forEach(fields -> records.add(raw(hostile, fields)));
        records.add(raw(hostile, "1970-01-01T00:00:00Z", "\"event\":\"signup\",\"user_id\":\"p\""));
        records.add(raw(victim, "\"event\":\"signup\",\"user_id\":\"after\",\"user\":{\"city\":\"Lyon\"}"));
        // one key, so one partition: the poison sits between the victim's events
        TestData.send(infra.bootstrapServers(), Topics.RAW, Topics.userKey(victim, "shared"), records.toArray(String[]::new));

        try (TopicReader enriched = new TopicReader(infra.bootstrapServers(), Topics.ENRICHED);
             TopicReader invalid = new TopicReader(infra.bootstrapServers(), Topics.INVALID)) {
            List<JsonNode> victims = await().atMost(Duration.ofSeconds(60)).until(() -> enriched.pollApp(victim), r -> r.size() == 2);
            // events.enriched is keyed by user, so the two may come back from different partitions in either order
            assertEquals(Set.of("before", "after"), victims.stream().map(e -> e.get("user_id").asText()).collect(Collectors.toSet()));
            List<JsonNode> rejected = await().atMost(Duration.ofSeconds(60)).until(() -> invalid.pollApp(hostile), r -> r.size() == poison.size() + 1);
            List<String> reasons = new ArrayList<>(poison.values());
            reasons.add("timestamp");
            assertEquals(reasons, rejected.stream().map(r -> r.get("reason").asText()).toList());
            rejected.forEach(r -> assertNull(StorableText.problem(r.get("error").asText()), r.toString()));
            assertEquals(List.of(), enriched.pollApp(hostile));
        }
    }
}
