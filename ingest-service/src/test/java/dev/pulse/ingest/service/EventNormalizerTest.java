package dev.pulse.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.contract.Event;
import dev.pulse.contract.EventContext;
import dev.pulse.contract.EventValidator;
import dev.pulse.contract.RawEvent;
import dev.pulse.contract.Validation;
import dev.pulse.web.problem.ProblemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Clock-skew correction and the future clamp, with a 10-minute tolerance and 2 hours of correctable skew (not the defaults). */
class EventNormalizerTest {
    private static final Instant RECEIVED = Instant.parse("2026-12-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(10);
    private static final Duration MAX_SKEW = Duration.ofHours(2);
    private static final EventNormalizer NORMALIZER = new EventNormalizer(
            IngestConfigs.with("future-tolerance", "10m", "max-clock-skew", "2h"));
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Event at(Instant timestamp) {
        return new Event("signup", "u1", null, timestamp, null, null, null, EventContext.NONE);
    }

    @Test
    void anEventWithoutATimestampHappenedWhenReceived() {
        assertEquals(new EventNormalizer.EventTime(RECEIVED, false), NORMALIZER.time(at(null), RECEIVED, null));
        // sent_at corrects a client's timestamps; there is none here to correct
        assertEquals(new EventNormalizer.EventTime(RECEIVED, false),
                NORMALIZER.time(at(null), RECEIVED, RECEIVED.minus(Duration.ofHours(1))));
    }

    @Test
    void withoutSentAtTheClientsTimestampIsKept() {
        Instant lastWeek = RECEIVED.minus(Duration.ofDays(7));
        assertEquals(new EventNormalizer.EventTime(lastWeek, false), NORMALIZER.time(at(lastWeek), RECEIVED, null));
    }

    @Test
    void aClientClockBehindIsCorrectedBySentAt() {
        // the client's clock is 90 min behind: it sent at 10:30 by its clock, the event was 10 min before that,
        // so the event happened at 12:00 - 10 min = 11:50 by the server's clock
        Instant sentAt = Instant.parse("2026-12-01T10:30:00Z");
        Instant timestamp = Instant.parse("2026-12-01T10:20:00Z");
        assertEquals(new EventNormalizer.EventTime(Instant.parse("2026-12-01T11:50:00Z"), false),
                NORMALIZER.time(at(timestamp), RECEIVED, sentAt));
    }

    @Test
    void aClientClockAheadIsCorrectedBySentAt() {
        // 45 min ahead: sent at 12:45 by its clock, the event 5 min before, i.e. 11:55 by the server's clock
        Instant sentAt = Instant.parse("2026-12-01T12:45:00Z");
        Instant timestamp = Instant.parse("2026-12-01T12:40:00Z");
        assertEquals(new EventNormalizer.EventTime(Instant.parse("2026-12-01T11:55:00Z"), false),
                NORMALIZER.time(at(timestamp), RECEIVED, sentAt));
    }

    @Test
    void anEventBeyondTheToleranceIsClampedToTheReceiveTime() {
        Instant justBeyond = RECEIVED.plus(TOLERANCE).plusMillis(1);
        assertEquals(new EventNormalizer.EventTime(RECEIVED, true), NORMALIZER.time(at(justBeyond), RECEIVED, null));
        Instant nextYear = RECEIVED.plus(Duration.ofDays(365));
        assertEquals(new EventNormalizer.EventTime(RECEIVED, true), NORMALIZER.time(at(nextYear), RECEIVED, null));
    }

    @Test
    void anEventExactlyAtTheToleranceIsKept() {
        Instant atTolerance = RECEIVED.plus(TOLERANCE);
        assertEquals(new EventNormalizer.EventTime(atTolerance, false), NORMALIZER.time(at(atTolerance), RECEIVED, null));
    }

    @Test
    void theClampAppliesAfterTheCorrection() {
        // sent_at 1 h behind, the event stamped at the receive time by the client's clock: corrected, it is 1 h
        // ahead of the server, beyond the 10 min tolerance
        Instant sentAt = RECEIVED.minus(Duration.ofHours(1));
        assertEquals(new EventNormalizer.EventTime(RECEIVED, true), NORMALIZER.time(at(RECEIVED), RECEIVED, sentAt));
        // and a timestamp that looks far ahead is fine once the client's clock, 1 h ahead, is corrected
        Instant clientAhead = RECEIVED.plus(Duration.ofHours(1));
        assertEquals(new EventNormalizer.EventTime(RECEIVED, false), NORMALIZER.time(at(clientAhead), RECEIVED, clientAhead));
    }

    @Test
    void sentAtWithinTheSkewIsAccepted() {
        assertDoesNotThrow(() -> NORMALIZER.checkSentAt(null, RECEIVED));
        assertDoesNotThrow(() -> NORMALIZER.checkSentAt(RECEIVED, RECEIVED));
        assertDoesNotThrow(() -> NORMALIZER.checkSentAt(RECEIVED.minus(MAX_SKEW), RECEIVED));
        assertDoesNotThrow(() -> NORMALIZER.checkSentAt(RECEIVED.plus(MAX_SKEW), RECEIVED));
    }

    @Test
    void sentAtBeyondTheSkewIsRefusedNamingIt() {
        for (Instant sentAt : new Instant[] {RECEIVED.minus(MAX_SKEW).minusSeconds(1), RECEIVED.plus(MAX_SKEW).plusSeconds(1),
                Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z")}) {
            ProblemException e = assertThrows(ProblemException.class, () -> NORMALIZER.checkSentAt(sentAt, RECEIVED), sentAt.toString());
            assertEquals(400, e.status());
            assertEquals("sent_at", e.toProblem().field());
        }
    }

    @Test
    void normalizeFillsIdTimeAndTextUserIdIntoTheRequestsOwnTree() throws Exception {
        JsonNode node = MAPPER.readTree("{\"event\":\"signup\",\"user_id\":42,\"properties\":{\"plan\":\"pro\"}}");
        // the validator turns a numeric user_id into its decimal text
        Event event = ((Validation.Valid) EventValidator.validate(node)).event();
        UUID id = UUID.fromString("0190b5a4-7c3e-7000-8000-000000000001");
        EventNormalizer.EventTime time = new EventNormalizer.EventTime(Instant.parse("2026-12-01T11:59:30.250Z"), false);

        RawEvent raw = NORMALIZER.normalize("app-1", node, event, time, id, RECEIVED);

        assertEquals("app-1", raw.appId());
        assertEquals(RECEIVED, raw.receivedAt());
        assertFalse(raw.clockClamped());
        assertSame(node, raw.event());
        ObjectNode normalized = (ObjectNode) raw.event();
        assertEquals(id.toString(), normalized.get("event_id").asText());
        assertEquals("2026-12-01T11:59:30.250Z", normalized.get("timestamp").asText());
        assertTrue(normalized.get("user_id").isTextual());
        assertEquals("42", normalized.get("user_id").asText());
        assertEquals("pro", normalized.get("properties").get("plan").asText());
    }

    @Test
    void normalizeCarriesTheClamp() throws Exception {
        JsonNode node = MAPPER.readTree("{\"event\":\"signup\",\"user_id\":\"u1\",\"timestamp\":\"2027-01-01T00:00:00Z\"}");
        Event event = ((Validation.Valid) EventValidator.validate(node)).event();
        EventNormalizer.EventTime time = NORMALIZER.time(event, RECEIVED, null);
        RawEvent raw = NORMALIZER.normalize("app-1", node, event, time, UUID.randomUUID(), RECEIVED);
        assertTrue(raw.clockClamped());
        // the client's future time is replaced by the receive time
        assertEquals(RECEIVED.toString(), raw.event().get("timestamp").asText());
    }
}
