package dev.pulse.enrich.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.Topics;
import dev.pulse.enrich.domain.RejectedRecord;
import dev.pulse.enrich.domain.SourcePosition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A raw record that does not read as a RawEvent is rejected with the record as read; nothing is thrown. */
class RawRecordParserTest {
    private static final SourcePosition SOURCE = new SourcePosition(Topics.RAW, 3, 17);
    private final RawRecordParser parser = new RawRecordParser(new ObjectMapper().findAndRegisterModules());

    @Test
    void notJsonIsRejectedAsPayload() {
        RejectedRecord rejected = assertInstanceOf(RejectedRecord.class, parser.parse("{not json", SOURCE));
        assertNull(rejected.appId());
        assertEquals("payload", rejected.reason());
        assertTrue(rejected.error().startsWith("payload: not a raw event ("), rejected.error());
        assertEquals("{not json", rejected.payload());
        assertEquals(SOURCE, rejected.source());
    }

    @Test
    void aRecordWithoutItsFieldsIsRejectedAsPayload() {
        RejectedRecord rejected = assertInstanceOf(RejectedRecord.class, parser.parse("{\"app_id\":\"shop\"}", SOURCE));
        assertEquals("shop", rejected.appId());
        assertEquals("payload: app_id, received_at and event are required", rejected.error());
        assertEquals("payload", assertInstanceOf(RejectedRecord.class, parser.parse(null, SOURCE)).reason());
    }
}
