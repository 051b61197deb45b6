package dev.pulse.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every SPEC §2 field rule and built-in event requirement, one case each. */
class EventValidatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Validation validate(String json) throws IOException {
        return EventValidator.validate(MAPPER.readTree(json));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"user_id\":\"u\"}                                                        | event: required",
        "{\"event\":\"Feed.View\",\"user_id\":\"u\"}                                | event: must match [a-z][a-z0-9_.:-]{0,63}",
        "{\"event\":\"1abc\",\"user_id\":\"u\"}                                     | event: must match [a-z][a-z0-9_.:-]{0,63}",
        "{\"event\":\"signup\"}                                                     | user_id: required",
        "{\"event\":\"signup\",\"user_id\":\"\"}                                    | user_id: must be 1-128 characters",
        "{\"event\":\"signup\",\"user_id\":1.5}                                     | user_id: must be a string or an integer",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"event_id\":\"nope\"}             | event_id: must be a UUID",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"timestamp\":\"2026-11-21T10:00:00\"} | timestamp: must be an ISO-8601 string with offset",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"session_id\":5}                  | session_id: must be a string",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"properties\":[]}                 | properties: must be an object",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"user\":{\"gender\":2}}           | user.gender: must be an integer in [0, 1]",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"user\":{\"age\":151}}            | user.age: must be an integer in [0, 150]",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"user\":{\"exp_group\":\"a\"}}    | user.exp_group: must be an integer in [-2147483648, 2147483647]",
        "{\"event\":\"signup\",\"user_id\":\"u\",\"context\":{\"device\":\"car\"}}  | context.device: must be one of mobile, desktop, tablet, tv",
        "{\"event\":\"feed.view\",\"user_id\":\"u\"}                                | properties.post_id: required",
        "{\"event\":\"feed.like\",\"user_id\":\"u\",\"properties\":{\"post_id\":-1}} | properties.post_id: must be an integer in [0, 9223372036854775807]",
        "{\"event\":\"feed.view\",\"user_id\":\"u\",\"properties\":{\"post_id\":\"7\"}} | properties.post_id: must be an integer in [0, 9223372036854775807]",
        "{\"event\":\"message.sent\",\"user_id\":\"u\"}                             | properties.receiver_id: required",
        "{\"event\":\"content.engagement\",\"user_id\":\"u\",\"properties\":{}}     | properties.content_id: required",
        "{\"event\":\"content.engagement\",\"user_id\":\"u\",\"properties\":{\"content_id\":\"c\",\"action\":\"skip\"}} | properties.action: must be one of play, pause, finish, click",
        "{\"event\":\"content.engagement\",\"user_id\":\"u\",\"properties\":{\"content_id\":\"c\",\"duration_ms\":-5}} | properties.duration_ms: must be a number in [0, 9007199254740991]",
        "{\"event\":\"page_view\",\"user_id\":\"u\",\"context\":{\"url\":\"/\"}}   | context.host: required for page_view",
        "{\"event\":\"page_view\",\"user_id\":\"u\",\"context\":{\"host\":\"h\"}}  | context.url: required for page_view",
        "{\"event\":\"purchase\",\"user_id\":\"u\"}                                 | properties.revenue: required",
        "{\"event\":\"purchase\",\"user_id\":\"u\",\"properties\":{\"revenue\":-1}} | properties.revenue: must be a number in [0, 1000000000000000]",
        "{\"event\":\"purchase\",\"user_id\":\"u\",\"properties\":{\"revenue\":1,\"currency\":\"EURO\"}} | properties.currency: must be an ISO 4217 code",
        "{\"event\":\"purchase\",\"user_id\":\"u\",\"properties\":{\"revenue\":1,\"currency\":\"XYZ\"}} | properties.currency: must be an ISO 4217 code",
    })
    void refusesWithTheFieldAtFault(String json, String message) throws IOException {
        assertEquals(message, assertInstanceOf(Validation.Invalid.class, validate(json)).message());
    }

    @Test
    void acceptsEveryBuiltInEventAndNormalisesIds() throws IOException {
        for (String json : new String[] {
            "{\"event\":\"feed.view\",\"user_id\":42,\"properties\":{\"post_id\":0}}",
            "{\"event\":\"message.sent\",\"user_id\":\"u\",\"properties\":{\"receiver_id\":7}}",
            "{\"event\":\"content.engagement\",\"user_id\":\"u\",\"properties\":{\"content_id\":\"c\",\"action\":\"finish\",\"duration_ms\":0}}",
            "{\"event\":\"page_view\",\"user_id\":\"u\",\"context\":{\"host\":\"h\",\"url\":\"/\",\"device\":\"tv\"}}",
            "{\"event\":\"purchase\",\"user_id\":\"u\",\"properties\":{\"revenue\":0,\"currency\":\"EUR\"}}",
            "{\"event\":\"signup\",\"user_id\":\"u\",\"timestamp\":\"2026-11-21T10:00:00+01:00\",\"user\":{\"gender\":0,\"age\":150}}",
            "{\"event\":\"referral\",\"user_id\":\"u\",\"event_id\":\"0195b7a2-5e3c-7c1f-9d1e-2f5a6b7c8d9e\"}",
            "{\"event\":\"custom:thing_1.x-y\",\"user_id\":\"u\"}"}) {
            assertInstanceOf(Validation.Valid.class, validate(json), json);
        }
        Event event = ((Validation.Valid) validate("{\"event\":\"signup\",\"user_id\":1}")).event();
        assertEquals("1", event.userId(), "an integer user_id means its decimal string");
        assertEquals(EventCategory.OTHER, EventCatalog.category("custom:thing"));
        assertEquals(EventCategory.MONETIZATION, EventCatalog.category("purchase"));
    }
}
