package dev.pulse.ingest;

import dev.pulse.contract.testing.PulseInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A seeded random run of broken bodies, types and encodings: every answer is a 2xx or a 4xx, never a 500. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class MalformedBodiesIT {
    private static final Set<Integer> EXPECTED = Set.of(202, 400, 413, 415);
    private static final List<String> VALUES = List.of("null", "true", "-1", "1e309", "99999999999999999999999", "\"\"", "\"x\"",
            "[]", "{}", "\"2026-13-45T99:00:00Z\"", "\"\\u0000\"", "\"" + "é".repeat(200) + "\"", "[[[[[[[[[[1]]]]]]]]]]", "0.5");
    private static final List<String> FIELDS = List.of("event", "user_id", "event_id", "timestamp", "session_id", "properties", "user",
            "context", "properties.post_id", "properties.revenue", "properties.currency", "properties.duration_ms",
            "user.age", "user.gender", "context.device", "context.host");

    @Test
    void randomMalformedBodiesNeverYieldA500() throws IOException {
        String writeKey = AppsFixture.createApp("UTC").getString("write_key");
        Random random = new Random(20261121);
        for (int i = 0; i < 400; i++) {
            byte[] body = body(random);
            String contentType = random.nextInt(10) == 0 ? "application/x-ndjson" : "application/json";
            boolean gzip = random.nextInt(8) == 0;
            if (gzip) {
                body = random.nextBoolean() ? gzip(body) : body; // half of them claim gzip and are not
            }
            var request = given().header("Authorization", "Bearer " + writeKey).contentType(contentType).body(body);
            if (gzip) {
                request = request.header("Content-Encoding", "gzip");
            }
            int status = request.when().post("/v1/events").then().extract().statusCode();
            assertTrue(EXPECTED.contains(status), "case " + i + " answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
        }
    }

    private static byte[] body(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                yield noise;
            }
            case 1 -> {
                String event = event(random);
                yield event.substring(0, random.nextInt(event.length())).getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> ("[" + event(random) + "," + event(random) + "]").getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"batch\":" + (random.nextBoolean() ? "[" + event(random) + "]" : VALUES.get(random.nextInt(VALUES.size())))
                    + ",\"sent_at\":" + VALUES.get(random.nextInt(VALUES.size())) + "}").getBytes(StandardCharsets.UTF_8);
            default -> event(random).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** A plausible event with one field, nested or not, replaced by a random value. */
    private static String event(Random random) {
        String broken = FIELDS.get(random.nextInt(FIELDS.size()));
        String value = VALUES.get(random.nextInt(VALUES.size()));
        String name = random.nextBoolean() ? "feed.view" : List.of("purchase", "page_view", "content.engagement", "signup").get(random.nextInt(4));
        StringBuilder json = new StringBuilder("{");
        json.append("\"event\":").append(broken.equals("event") ? value : "\"" + name + "\"");
        json.append(",\"user_id\":").append(broken.equals("user_id") ? value : "\"u1\"");
        json.append(",\"event_id\":").append(broken.equals("event_id") ? value : "\"0195b7a2-5e3c-7c1f-9d1e-2f5a6b7c8d9e\"");
        json.append(",\"timestamp\":").append(broken.equals("timestamp") ? value : "\"2026-11-21T10:00:00Z\"");
        json.append(",\"properties\":").append(broken.equals("properties") ? value : "{\"post_id\":" + (broken.equals("properties.post_id") ? value : "1")
                + ",\"revenue\":" + (broken.equals("properties.revenue") ? value : "1.5")
                + ",\"currency\":" + (broken.equals("properties.currency") ? value : "\"EUR\"")
                + ",\"content_id\":\"c\",\"duration_ms\":" + (broken.equals("properties.duration_ms") ? value : "10") + "}");
        json.append(",\"user\":").append(broken.equals("user") ? value : "{\"age\":" + (broken.equals("user.age") ? value : "30")
                + ",\"gender\":" + (broken.equals("user.gender") ? value : "1") + "}");
        json.append(",\"context\":").append(broken.equals("context") ? value : "{\"device\":" + (broken.equals("context.device") ? value : "\"tv\"")
                + ",\"host\":" + (broken.equals("context.host") ? value : "\"h\"") + ",\"url\":\"/\"}");
        return json.append("}").toString();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }
}
