package dev.pulse.enrich.service;

import dev.pulse.contract.ContentMetadata;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.AcceptedEvent;
import dev.pulse.enrich.domain.AppSettings;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

import static dev.pulse.enrich.service.AcceptedEvents.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §3 enrichment of single events: categories, app-local days, engagement and the fields lifted out. None of these
 * events has a user agent, so the enricher never asks a parser (Yauaa takes seconds to build): UserAgentParserTest
 * covers what a user agent adds.
 */
class EventEnricherTest {
    private static final EventEnricher ENRICHER = new EventEnricher(null);
    private static final AppSettings UTC_APP = new AppSettings("app", ZoneOffset.UTC, Map.of());
    private static final Instant RECEIVED = Instant.parse("2026-12-01T12:00:00Z");

    private static EnrichedEvent enrich(String name, String fields, AppSettings app) {
        return ENRICHER.enrich(accepted(name, "2026-12-01T11:00:00Z", fields, RECEIVED), app, UserTraits.NONE, null);
    }

    @Test
    void builtInEventsHaveTheirSpecCategories() {
        assertEquals("engagement", enrich("feed.view", "\"properties\":{\"post_id\":7}", UTC_APP).category());
        assertEquals("engagement", enrich("message.sent", "\"properties\":{\"receiver_id\":\"u2\"}", UTC_APP).category());
        assertEquals("acquisition", enrich("signup", "", UTC_APP).category());
        assertEquals("monetization", enrich("purchase", "\"properties\":{\"revenue\":9.99}", UTC_APP).category());
        assertEquals("growth", enrich("referral", "", UTC_APP).category());
    }

    @Test
    void anAppCannotMoveABuiltInEventToAnotherCategory() {
        AppSettings app = new AppSettings("app", ZoneOffset.UTC, Map.of("signup", "monetization"));
        assertEquals("acquisition", enrich("signup", "", app).category());
    }

    @Test
    void customEventsCountWhereTheAppMapsThemElseAsOther() {
        AppSettings app = new AppSettings("app", ZoneOffset.UTC, Map.of("level_up", "growth", "trial", "acquisition"));
        assertEquals("growth", enrich("level_up", "", app).category());
        assertEquals("acquisition", enrich("trial", "", app).category());
        assertEquals("other", enrich("quest_done", "", app).category());
        assertEquals("other", enrich("level_up", "", UTC_APP).category());
    }

    @Test
    void aMappingToNoSpecCategoryCountsAsOther() {
        AppSettings app = new AppSettings("app", ZoneOffset.UTC, Map.of("level_up", "bogus", "trial", "Growth"));
        assertEquals("other", enrich("level_up", "", app).category());
        // categories are lower case: a different case is another, unknown, name
        assertEquals("other", enrich("trial", "", app).category());
    }

    @Test
    void theEventDateIsTheAppsLocalDay() {
        // 23:30 UTC is 08:30 the next morning in Tokyo (UTC+9, no daylight saving)
        AcceptedEvent lateEvening = accepted("signup", "2026-12-01T23:30:00Z", "", Instant.parse("2026-12-01T23:31:00Z"));
        AppSettings tokyo = new AppSettings("app", ZoneId.of("Asia/Tokyo"), Map.of());
        assertEquals(LocalDate.of(2026, 12, 2), ENRICHER.enrich(lateEvening, tokyo, UserTraits.NONE, null).eventDate());
        assertEquals(LocalDate.of(2026, 12, 1), ENRICHER.enrich(lateEvening, UTC_APP, UserTraits.NONE, null).eventDate());
        // 05:00 UTC is 21:00 the evening before in Los Angeles (UTC-8 in December)
        AcceptedEvent earlyMorning = accepted("signup", "2026-12-02T05:00:00Z", "", Instant.parse("2026-12-02T05:00:01Z"));
        AppSettings losAngeles = new AppSettings("app", ZoneId.of("America/Los_Angeles"), Map.of());
        assertEquals(LocalDate.of(2026, 12, 1), ENRICHER.enrich(earlyMorning, losAngeles, UserTraits.NONE, null).eventDate());
    }

    @Test
    void anEventIsLateWhenItsLocalDayEndedBeforeItArrived() {
        // 14:00 UTC = 23:00 in Tokyo; received 15:30 UTC = 00:30 the next day there: late in Tokyo, not in UTC
        AcceptedEvent event = accepted("signup", "2026-12-01T14:00:00Z", "", Instant.parse("2026-12-01T15:30:00Z"));
        AppSettings tokyo = new AppSettings("app", ZoneId.of("Asia/Tokyo"), Map.of());
        assertTrue(ENRICHER.enrich(event, tokyo, UserTraits.NONE, null).late());
        assertFalse(ENRICHER.enrich(event, UTC_APP, UserTraits.NONE, null).late());
    }

    @Test
    void engagementIsTheShareOfTheContentWatchedRoundedHalfUpToTwoPlaces() {
        assertEquals(0.75, EventEnricher.engagementPct(45.0, 60));
        // 2 / 3 = 0.666… rounds up, 1 / 3 = 0.333… down, 1 / 8 = 0.125 is a half that goes up
        assertEquals(0.67, EventEnricher.engagementPct(2.0, 3));
        assertEquals(0.33, EventEnricher.engagementPct(1.0, 3));
        assertEquals(0.13, EventEnricher.engagementPct(1.0, 8));
        assertEquals(0.0, EventEnricher.engagementPct(0.0, 60));
        assertEquals(1.0, EventEnricher.engagementPct(60.0, 60));
        // replays count: the formula is not capped at the whole content
        assertEquals(1.5, EventEnricher.engagementPct(90.0, 60));
    }

    @Test
    void engagementIsUnknownWithoutADurationOrAPositiveLength() {
        assertNull(EventEnricher.engagementPct(null, 60));
        assertNull(EventEnricher.engagementPct(30.0, null));
        assertNull(EventEnricher.engagementPct(30.0, 0));
        assertNull(EventEnricher.engagementPct(30.0, -5));
    }

    @Test
    void aContentEngagementGetsItsSecondsAndShareFromTheCatalog() {
        AcceptedEvent event = accepted("content.engagement", "2026-12-01T11:00:00Z",
                "\"properties\":{\"content_id\":\"c1\",\"action\":\"finish\",\"duration_ms\":45000}", RECEIVED);
        ContentMetadata content = new ContentMetadata("app", "c1", "Intro", "video", 60, null);
        EnrichedEvent enriched = ENRICHER.enrich(event, UTC_APP, UserTraits.NONE, content);
        // 45000 ms = 45 s of a 60 s video
        assertEquals(45000L, enriched.durationMs());
        assertEquals(45.0, enriched.engagementSeconds());
        assertEquals(0.75, enriched.engagementPct());
        assertEquals("c1", enriched.contentId());
        assertEquals("finish", enriched.action());
        assertEquals("Intro", enriched.contentTitle());
        assertEquals("video", enriched.contentType());
        assertEquals(60, enriched.lengthSeconds());
        // content not in the catalog: seconds known, share not
        EnrichedEvent unknownContent = ENRICHER.enrich(event, UTC_APP, UserTraits.NONE, null);
        assertEquals(45.0, unknownContent.engagementSeconds());
        assertNull(unknownContent.engagementPct());
        assertNull(unknownContent.contentTitle());
    }

    @Test
    void builtInPropertiesAreLiftedOut() {
        assertEquals(7L, enrich("feed.like", "\"properties\":{\"post_id\":7}", UTC_APP).postId());
        EnrichedEvent purchase = enrich("purchase", "\"properties\":{\"revenue\":9.99,\"currency\":\"EUR\"}", UTC_APP);
        assertEquals(0, new BigDecimal("9.99").compareTo(purchase.revenue()));
        assertEquals("EUR", purchase.currency());
        EnrichedEvent signup = enrich("signup", "\"properties\":{\"revenue\":5,\"currency\":\"USD\"}", UTC_APP);
        // only a purchase has revenue
        assertNull(signup.revenue());
        assertNull(signup.currency());
        assertNull(signup.postId());
    }

    @Test
    void idsMeanTheSameAsNumbersAndAsText() {
        // the largest integer the contract accepts (2^63 - 1) keeps all its digits, which a double would not
        assertEquals("9223372036854775807",
                enrich("message.sent", "\"properties\":{\"receiver_id\":9223372036854775807}", UTC_APP).receiverId());
        assertEquals("42", enrich("message.sent", "\"properties\":{\"receiver_id\":42}", UTC_APP).receiverId());
        assertEquals("u2", enrich("message.sent", "\"properties\":{\"receiver_id\":\"u2\"}", UTC_APP).receiverId());
    }

    @Test
    void theHostIsLowerCased() {
        EnrichedEvent page = enrich("page_view", "\"context\":{\"host\":\"WWW.Example.COM\",\"url\":\"/A\"}", UTC_APP);
        assertEquals("www.example.com", page.host());
        assertEquals("/A", page.url());
    }

    @Test
    void withoutAUserAgentNothingIsGuessed() {
        EnrichedEvent event = enrich("signup", "", UTC_APP);
        assertNull(event.device());
        assertNull(event.os());
        assertNull(event.browser());
        assertNull(event.host());
    }
}
