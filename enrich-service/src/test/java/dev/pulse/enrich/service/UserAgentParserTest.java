package dev.pulse.enrich.service;

import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.Limits;
import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.domain.AppSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static dev.pulse.enrich.service.AcceptedEvents.MAPPER;
import static dev.pulse.enrich.service.AcceptedEvents.accepted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a User-Agent tells enrichment, for strings whose answer is not in doubt (device class above all; the os and
 * browser where the string names them plainly). Yauaa's matchers take seconds to load: one analyzer for the class.
 */
class UserAgentParserTest {
    private static final String WINDOWS_CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private static final String IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    private static final String ANDROID_PHONE_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    private static final String IPAD_SAFARI = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static final UserAgentParser PARSER = new UserAgentParser(new SmallRyeConfigBuilder()
            .withMapping(EnrichConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .build()
            .getConfigMapping(EnrichConfig.class));
    private static final AppSettings UTC_APP = new AppSettings("app", ZoneOffset.UTC, Map.of());

    @Test
    void aDesktopBrowserIsADesktop() {
        UserAgentParser.Parsed parsed = PARSER.parse(WINDOWS_CHROME);
        assertEquals("desktop", parsed.device());
        assertTrue(parsed.os() != null && parsed.os().startsWith("Windows"), parsed.os());
        assertEquals("Chrome", parsed.browser());
    }

    @Test
    void phonesAreMobile() {
        UserAgentParser.Parsed iphone = PARSER.parse(IPHONE_SAFARI);
        assertEquals("mobile", iphone.device());
        assertEquals("iOS", iphone.os());
        assertEquals("Safari", iphone.browser());
        UserAgentParser.Parsed android = PARSER.parse(ANDROID_PHONE_CHROME);
        assertEquals("mobile", android.device());
        assertEquals("Android", android.os());
    }

    @Test
    void anIpadIsATablet() {
        assertEquals("tablet", PARSER.parse(IPAD_SAFARI).device());
    }

    @Test
    void aRobotIsNoneOfTheFourDevices() {
        assertNull(PARSER.parse(GOOGLEBOT).device());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void aBlankUserAgentTellsNothing(String userAgent) {
        assertEquals(new UserAgentParser.Parsed(null, null, null), PARSER.parse(userAgent));
    }

    @Test
    void noUserAgentTellsNothing() {
        assertEquals(new UserAgentParser.Parsed(null, null, null), PARSER.parse(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"%%%%", ";;;;;;", "(((((", "\u00e9\u00e9\u00e9 \u2603", "' OR 1=1 --"})
    void garbageIsUnknown(String userAgent) {
        // nothing can be told from these: no device, and no os or browser either (not Yauaa's "Hacker" verdict)
        UserAgentParser.Parsed parsed = PARSER.parse(userAgent);
        assertNull(parsed.device());
        assertNull(parsed.os());
        assertNull(parsed.browser());
    }

    @Test
    void theLongestUserAgentTheContractAcceptsIsNoDevice() {
        assertNull(PARSER.parse("x".repeat(Limits.MAX_TEXT_LENGTH)).device());
    }

    @Test
    void enrichmentFillsDeviceOsAndBrowserFromTheUserAgent() {
        EnrichedEvent event = new EventEnricher(PARSER).enrich(
                accepted("signup", "2026-12-01T11:00:00Z", "\"context\":{\"user_agent\":" + MAPPER.valueToTree(IPHONE_SAFARI) + "}",
                        Instant.parse("2026-12-01T12:00:00Z")),
                UTC_APP, UserTraits.NONE, null);
        assertEquals("mobile", event.device());
        assertEquals("iOS", event.os());
        assertEquals("Safari", event.browser());
    }

    @Test
    void whatTheClientSaysWinsOverTheUserAgent() {
        EnrichedEvent event = new EventEnricher(PARSER).enrich(
                accepted("signup", "2026-12-01T11:00:00Z",
                        "\"context\":{\"user_agent\":\"" + WINDOWS_CHROME + "\",\"device\":\"tv\",\"browser\":\"MyApp\"}",
                        Instant.parse("2026-12-01T12:00:00Z")),
                UTC_APP, new UserTraits(null, null, "Linux", null, null, null, null), null);
        assertEquals("tv", event.device());
        assertEquals("MyApp", event.browser());
        // the os comes from the user's traits before the user agent
        assertEquals("Linux", event.os());
    }
}
