package dev.pulse.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class IsoInstantTest {

    /** What the formatter answers: the instant, or the text "refused". */
    private static String formatter(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant().toString();
        } catch (DateTimeParseException e) {
            return "refused";
        }
    }

    private static String parsed(String text) {
        try {
            return IsoInstant.parse(text).toString();
        } catch (DateTimeParseException e) {
            return "refused";
        }
    }

    @Test
    void answersAsTheFormatterOnTheCommonShapeAndItsNeighbours() {
        List<String> texts = List.of("2026-12-04T18:52:23Z", "2026-12-04T18:52:23.1Z", "2026-12-04T18:52:23.123456789Z",
                "2026-12-04T18:52:23.1234567891Z", "2026-12-04T18:52:23.Z", "2026-12-04T18:52Z", "2026-12-04t18:52:23z",
                "2026-12-04T18:52:23+02:00", "2026-12-04T00:10:00-05:30", "2026-12-31T23:59:59.999-00:00", "2026-12-04T18:52:23+18:00",
                "2026-12-04T18:52:23+18:01", "2026-12-04T18:52:23+17:59", "2026-12-04T18:52:23+0200", "2026-12-04T18:52:23+02:00:30",
                "2024-02-29T12:00:00Z", "2026-02-29T12:00:00Z", "2026-04-31T12:00:00Z", "2026-13-01T12:00:00Z", "2026-00-10T12:00:00Z",
                "2026-12-00T12:00:00Z", "2026-12-04T24:00:00Z", "2026-12-04T23:60:00Z", "2026-12-04T23:59:60Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999+17:59", "+10000-01-01T00:00:00Z", "2026-12-04 18:52:23Z", "2026-12-04T18:52:23",
                "2026-12-04T18:52:23ZZ", "２０２６-12-04T18:52:23Z", "2026-1a-04T18:52:23Z", "");
        for (String text : texts) {
            assertEquals(formatter(text), parsed(text), text);
        }
    }

    @Test
    void answersAsTheFormatterOnRandomTextsOfTheShape() {
        Random random = new Random(42);
        String alphabet = "0123456789-:T.Z+ ";
        int common = 0;
        for (int n = 0; n < 200_000; n++) {
            char[] text = "2026-12-04T18:52:23.123+02:00".toCharArray();
            int length = 20 + random.nextInt(text.length - 19);
            for (int changes = random.nextInt(3); changes > 0; changes--) {
                text[random.nextInt(length)] = random.nextInt(2) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('0' + random.nextInt(10));
            }
            String candidate = new String(text, 0, length);
            if (random.nextInt(3) == 0) {
                candidate = candidate.substring(0, 19) + (random.nextInt(2) == 0 ? "Z" : "." + "123456789".substring(random.nextInt(9)) + "Z");
            }
            assertEquals(formatter(candidate), parsed(candidate), candidate);
            if (IsoInstant.common(candidate) != null) {
                common++;
            }
        }
        // the test would prove little if the fast path were never taken
        assertEquals(true, common > 20_000, "common-shape texts: " + common);
    }

    @Test
    void leavesOtherShapesToTheFormatter() {
        assertNull(IsoInstant.common("2026-12-04T18:52Z"));
        assertNull(IsoInstant.common("2026-02-30T12:00:00Z"));
        assertNotNull(IsoInstant.common(Instant.ofEpochSecond(1_780_000_000L, 120_000).toString()));
    }

    @Test
    void topicValuesReadTheirTimesAsJacksonDid() throws Exception {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        for (Instant at : List.of(Instant.parse("2026-12-04T18:52:23Z"), Instant.parse("2026-12-04T18:52:23.120Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.ofEpochSecond(1_780_000_000L, 1))) {
            RawEvent raw = new RawEvent("app", at, false, JsonNodeFactory.instance.objectNode());
            assertEquals(at, mapper.readValue(mapper.writeValueAsString(raw), RawEvent.class).receivedAt());
        }
        // a number is still read as Jackson's deserializer reads it (seconds since the epoch)
        assertEquals(Instant.ofEpochSecond(1_780_000_000L),
                mapper.readValue("{\"app_id\":\"a\",\"received_at\":1780000000,\"event\":{}}", RawEvent.class).receivedAt());
    }
}
