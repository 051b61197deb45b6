package dev.pulse.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicCodecTest {
    /** Configured as Quarkus configures the services' ObjectMapper. */
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void eachCodecIsItsTopics() {
        assertEquals(Topics.RAW, TopicCodec.raw(MAPPER).topic());
        assertEquals(Topics.ENRICHED, TopicCodec.enriched(MAPPER).topic());
        assertEquals(Topics.INVALID, TopicCodec.invalid(MAPPER).topic());
        assertEquals(Topics.CATALOG_CONTENT, TopicCodec.catalog(MAPPER).topic());
        assertEquals(Topics.ERASURES, TopicCodec.erasures(MAPPER).topic());
    }

    /** The wire format the consumers of events.invalid (and the records already on the topic) read. */
    @Test
    void anInvalidEventIsWrittenInSnakeCaseWithoutItsNulls() throws Exception {
        TopicCodec<InvalidEvent> codec = TopicCodec.invalid(MAPPER);
        InvalidEvent duplicate = new InvalidEvent("shop", InvalidEvent.DUPLICATE, "seen", "{\"a\":\"é\"}", Topics.RAW, 2, 41, AT,
                LocalDate.of(2026, 1, 1));
        byte[] value = codec.write(duplicate);

        assertEquals("{\"app_id\":\"shop\",\"reason\":\"duplicate\",\"error\":\"seen\",\"payload\":\"{\\\"a\\\":\\\"é\\\"}\","
                + "\"source_topic\":\"events.raw\",\"source_partition\":2,\"source_offset\":41,\"rejected_at\":\"2026-01-02T03:04:05Z\","
                + "\"event_date\":\"2026-01-01\"}", new String(value, StandardCharsets.UTF_8));
        assertEquals(duplicate, codec.read(new String(value, StandardCharsets.UTF_8)));
        InvalidEvent edge = new InvalidEvent("shop", "event", "bad", "{}", null, -1, -1, AT);
        assertEquals("{\"app_id\":\"shop\",\"reason\":\"event\",\"error\":\"bad\",\"payload\":\"{}\",\"source_partition\":-1,"
                + "\"source_offset\":-1,\"rejected_at\":\"2026-01-02T03:04:05Z\"}", new String(codec.write(edge), StandardCharsets.UTF_8));
    }

    /** Both are what they were before the codec: bytes where a producer sent bytes, StringSerializer's UTF-8 where it sent text. */
    @Test
    void bytesAndTextDifferOnlyInHowTheyEncodeWhatUtf8CannotHoldAsIs() throws Exception {
        TopicCodec<InvalidEvent> codec = TopicCodec.invalid(MAPPER);
        InvalidEvent event = new InvalidEvent("shop", "user.city", "bad", "lone \ud800, pair \ud83d\ude00", null, -1, -1, AT);

        String bytes = new String(codec.write(event), StandardCharsets.UTF_8);
        String text = new String(new StringSerializer().serialize(Topics.INVALID, codec.writeText(event)), StandardCharsets.UTF_8);

        assertTrue(bytes.toLowerCase(Locale.ROOT).contains("\"payload\":\"lone \\ud800, pair \\ud83d\\ude00\""), bytes);
        assertTrue(text.contains("\"payload\":\"lone ?, pair \ud83d\ude00\""), text);
        assertEquals(event, codec.read(bytes));
    }

    @Test
    void everyTopicsRecordComesBackAsItWasWritten() throws Exception {
        RawEvent raw = new RawEvent("shop", AT, true, MAPPER.createObjectNode().put("event", "page.view").put("user_id", "u1"));
        assertEquals(raw, roundTrip(TopicCodec.raw(MAPPER), raw));

        EnrichedEvent enriched = new EnrichedEvent("shop", UUID.randomUUID(), "purchase", "monetization", "u1", AT,
                LocalDate.of(2026, 1, 2), AT, false, true, "s1", MAPPER.createObjectNode().put("sku", "x"), 7L, null, "c1",
                null, 1500L, new BigDecimal("9.99"), "EUR", new UserTraits(1, 30, "ios", "ads", "FR", "Paris", 2), "mobile",
                "ios", "safari", "shop.example", "https://shop.example/", null, "Title", "video", 120, 12.5, 0.1);
        assertEquals(enriched, roundTrip(TopicCodec.enriched(MAPPER), enriched));

        ContentMetadata content = new ContentMetadata("shop", "c1", "Title", "video", 120, AT);
        assertEquals(content, roundTrip(TopicCodec.catalog(MAPPER), content));

        ErasureCommand erasure = new ErasureCommand(UUID.randomUUID(), "shop", "u1", AT);
        assertEquals(erasure, roundTrip(TopicCodec.erasures(MAPPER), erasure));
    }

    /** The consumers turn this exception into their own path: a rejection (enrich) or a quarantine (aggregate). */
    @Test
    void aRecordThatIsNotTheTopicsTypeFailsToRead() {
        TopicCodec<EnrichedEvent> codec = TopicCodec.enriched(MAPPER);
        assertThrows(JsonProcessingException.class, () -> codec.read("{not json"));
        assertThrows(JsonProcessingException.class, () -> codec.read("[1, 2]"));
        assertThrows(JsonProcessingException.class, () -> codec.read("{\"event_id\": \"not a uuid\"}"));
        assertEquals("EnrichedEvent", codec.typeName());
    }

    private static <T> T roundTrip(TopicCodec<T> codec, T value) throws JsonProcessingException {
        return codec.read(new String(codec.write(value), StandardCharsets.UTF_8));
    }
}
