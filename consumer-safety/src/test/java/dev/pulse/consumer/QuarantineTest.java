package dev.pulse.consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.InvalidEvent;
import dev.pulse.contract.StorableText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuarantineTest {

    @Test
    void theAppComesFromThePayloadThenTheKey() {
        assertEquals("shop", Quarantine.appOf("other\u0000u1", "{\"app_id\":\"shop\",\"event\":{}}"));
        assertEquals("shop", Quarantine.appOf("shop\u0000u1", "{not json"));
        assertEquals("shop", Quarantine.appOf("shop", "[1,2]"));
        assertNull(Quarantine.appOf(null, null));
    }

    @Test
    void theRecordKeepsItsPositionAndFitsEveryStore() {
        String payload = "x".repeat(Quarantine.MAX_PAYLOAD_CHARS + 10);
        InvalidEvent invalid = Quarantine.invalidEvent("sh\u0000op", new IllegalStateException("bad \u0000 byte"), payload, "events.raw", 2, 41);

        assertEquals(Quarantine.REASON, invalid.reason());
        assertEquals("events.raw", invalid.sourceTopic());
        assertEquals(2, invalid.sourcePartition());
        assertEquals(41, invalid.sourceOffset());
        assertEquals("sh\uFFFDop", invalid.appId());
        assertEquals("java.lang.IllegalStateException: bad \uFFFD byte", invalid.error());
        assertTrue(invalid.payload().startsWith("x".repeat(Quarantine.MAX_PAYLOAD_CHARS)));
        assertTrue(invalid.payload().endsWith("[10 more characters]"), invalid.payload().substring(Quarantine.MAX_PAYLOAD_CHARS));
    }

    /** A payload cut in the middle of an emoji, or holding NUL: still published (JSON) and storable (PostgreSQL text). */
    @Test
    void aCutOrNulPayloadStaysPublishableAndStorable() throws Exception {
        String emojis = "\uD83D\uDE00".repeat(Quarantine.MAX_PAYLOAD_CHARS);
        String halfPairAtTheCut = "x" + emojis;
        for (String payload : new String[] {halfPairAtTheCut, "not json \u0000", "lone \uD800 surrogate"}) {
            InvalidEvent invalid = Quarantine.invalidEvent("shop", new IllegalStateException("boom"), payload, "catalog.content", 0, 7);
            assertNull(StorableText.problem(invalid.payload()), "storable");
            String json = new ObjectMapper().findAndRegisterModules().writeValueAsString(invalid);
            assertEquals(invalid.payload(), new ObjectMapper().findAndRegisterModules().readValue(json, InvalidEvent.class).payload());
        }
        InvalidEvent cut = Quarantine.invalidEvent("shop", new IllegalStateException("boom"), halfPairAtTheCut, "events.raw", 0, 7);
        assertTrue(cut.payload().startsWith("x" + emojis.substring(0, Quarantine.MAX_PAYLOAD_CHARS - 2)), "cut before the pair");
        assertTrue(cut.payload().endsWith("[" + (halfPairAtTheCut.length() - Quarantine.MAX_PAYLOAD_CHARS + 1) + " more characters]"));
    }
}
