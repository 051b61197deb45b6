package dev.pulse.aggregate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.TopicCodec;
import dev.pulse.contract.Topics;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A record that does not parse fails its write like any other failing record, so that BatchWriter quarantines it. */
class ChannelBatchesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
    /** Parsing needs none of the sinks. */
    private final ChannelBatches batches = new ChannelBatches(null, null, null, null, null);

    @Test
    void aRecordOfTheTopicsTypeIsParsed() {
        ErasureCommand command = new ErasureCommand(UUID.randomUUID(), "shop", "u1", Instant.parse("2026-01-02T03:04:05Z"));
        String value = "{\"erasure_id\":\"" + command.erasureId() + "\",\"app_id\":\"shop\",\"user_id\":\"u1\",\"requested_at\":\"2026-01-02T03:04:05Z\"}";
        assertEquals(command, batches.parse(new ReadRecord(Topics.ERASURES, 0, 1, "shop\u0000u1", value), TopicCodec.erasures(MAPPER)));
    }

    @Test
    void aRecordThatIsNotFailsNamingTheTopicAndType() {
        UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> batches.parse(
                new ReadRecord(Topics.ENRICHED, 2, 9, "k", "{not json"), TopicCodec.enriched(MAPPER)));
        assertEquals("events.enriched holds a record that is not a EnrichedEvent", failure.getMessage());
    }
}
