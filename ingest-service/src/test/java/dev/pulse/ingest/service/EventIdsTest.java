package dev.pulse.ingest.service;

import dev.pulse.web.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EventIdsTest {
    private static final Instant NOW = Instant.parse("2026-12-01T06:00:00Z");

    /** RFC 9562 appendix A.4: the version 5 UUID of "www.example.com" in the DNS namespace. */
    @Test
    void nameBasedIdsAreRfc9562Version5() {
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertEquals(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"), EventIds.nameBased(dns, "www.example.com"));
    }

    @Test
    void theSameKeyGivesTheSameIdsOnEveryResendAndOnlyThen() {
        EventIds first = EventIds.forRequest("app", "order-42", NOW);
        EventIds resend = EventIds.forRequest("app", "order-42", NOW.plusSeconds(30));
        assertEquals(first.generate(0), resend.generate(0));
        assertEquals(first.generate(7), resend.generate(7));
        assertEquals(5, first.generate(0).version());
        assertNotEquals(first.generate(0), first.generate(1));
        assertNotEquals(first.generate(0), EventIds.forRequest("app", "order-43", NOW).generate(0));
        assertNotEquals(first.generate(0), EventIds.forRequest("other", "order-42", NOW).generate(0));
    }

    @Test
    void withoutAKeyIdsAreFreshUuidV7() {
        EventIds ids = EventIds.forRequest("app", null, NOW);
        assertEquals(7, ids.generate(0).version());
        assertNotEquals(ids.generate(0), ids.generate(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tab\there", "ünïcode", "nul\u0000"})
    void refusesKeysThatAreNotPrintableAscii(String key) {
        ProblemException e = assertThrows(ProblemException.class, () -> EventIds.forRequest("app", key, NOW));
        assertEquals("Idempotency-Key", e.toProblem().field());
    }

    @Test
    void refusesKeysOver255Characters() {
        assertEquals(5, EventIds.forRequest("app", "k".repeat(255), NOW).generate(0).version());
        assertThrows(ProblemException.class, () -> EventIds.forRequest("app", "k".repeat(256), NOW));
    }
}
