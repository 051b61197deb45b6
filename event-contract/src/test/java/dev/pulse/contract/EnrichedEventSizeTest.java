package dev.pulse.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worst case the bounds allow: every string at its longest, made of a character JSON escapes to six bytes,
 * properties at their byte bound, joined to the longest catalog text. It must fit a Kafka message (1 MiB by default)
 * with room to spare; README "Accepted values" quotes the figure.
 */
class EnrichedEventSizeTest {
    /** The figure README quotes. */
    private static final int DOCUMENTED_WORST_CASE = 64 * 1024;
    private static final int KAFKA_DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** {@code n} characters that JSON writes as {@code \\u0001}: six bytes each, the most any character costs. */
    private static String worst(int n) {
        return "\u0001".repeat(n);
    }

    @Test
    void anEnrichedRecordBuiltToEveryBoundFitsAKafkaMessage() throws Exception {
        ObjectNode event = MAPPER.createObjectNode().put("event", "content.engagement").put("user_id", worst(128))
                .put("event_id", UUID.randomUUID().toString()).put("timestamp", "9999-12-31T23:59:59Z")
                .put("session_id", worst(128));
        event.putObject("user").put("gender", 1).put("age", 150).put("os", worst(128)).put("source", worst(128))
                .put("country", worst(128)).put("city", worst(128)).put("exp_group", Integer.MIN_VALUE);
        event.putObject("context").put("device", "desktop").put("browser", worst(128)).put("host", worst(253))
                .put("url", worst(2048)).put("referrer", worst(2048)).put("ip", worst(45)).put("user_agent", worst(2048));
        ObjectNode properties = event.putObject("properties").put("content_id", worst(128)).put("action", "finish")
                .put("duration_ms", Limits.MAX_DURATION_MS.longValue()).put("fill", "");
        long room = Limits.MAX_PROPERTY_BYTES - JsonTree.jsonBytes(properties);
        properties.put("fill", worst((int) (room / 6)));
        Event valid = assertInstanceOf(Validation.Valid.class, EventValidator.validate(event)).event();
        ContentMetadata content = assertInstanceOf(ContentValidation.Valid.class, ContentValidator.validate("a".repeat(40), worst(128),
                MAPPER.createObjectNode().put("title", worst(Limits.MAX_TITLE_LENGTH)).put("content_type", worst(128))
                        .put("length_seconds", Integer.MAX_VALUE))).content();

        EnrichedEvent enriched = new EnrichedEvent("a".repeat(40), valid.eventId(), valid.event(), "monetization",
                valid.userId(), valid.timestamp(), LocalDate.of(9999, 12, 31), Instant.MAX, true, true, valid.sessionId(),
                valid.properties(), Long.MIN_VALUE, worst(128), worst(128), "finish", Long.MAX_VALUE,
                new BigDecimal("0." + "9".repeat(998)), "EUR", valid.user(), valid.context().device(), worst(128),
                valid.context().browser(), valid.context().host(), valid.context().url(), valid.context().referrer(),
                content.title(), content.contentType(), content.lengthSeconds(), Double.MAX_VALUE, -Double.MAX_VALUE);
        int size = TopicCodec.enriched(MAPPER).write(enriched).length;

        assertTrue(size <= DOCUMENTED_WORST_CASE, "worst-case enriched record is " + size + " bytes");
        assertTrue(DOCUMENTED_WORST_CASE < KAFKA_DEFAULT_MAX_REQUEST_SIZE / 8);
    }
}
