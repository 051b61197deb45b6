package dev.pulse.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The catalog PUT's rules: the same accepted values as events. JSON with {@code '} for {@code "}. */
class ContentValidatorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ContentValidation validate(String contentId, String singleQuoted) throws IOException {
        return ContentValidator.validate("app", contentId, MAPPER.readTree(singleQuoted.replace('\'', '"')));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource(delimiter = '|', value = {
        "c               | []                                             | body: must be a JSON object",
        "c               | {'title':'a\\u0000'}                           | title: must not contain NUL (U+0000)",
        "c               | {'content_type':'\\udfff'}                     | content_type: must not contain an unpaired surrogate",
        "c               | {'title':5}                                    | title: must be a string",
        "c               | {'length_seconds':-1}                          | length_seconds: must be an integer in [0, 2147483647]",
        "c               | {'length_seconds':2147483648}                  | length_seconds: must be an integer in [0, 2147483647]",
        "c               | {'length_seconds':1e30}                        | length_seconds: must be an integer in [0, 2147483647]",
        "c               | {'length_seconds':100000000000000000000}       | length_seconds: must be an integer in the 64-bit range",
        "c               | {'publish_ts':'1899-12-31T23:59:59Z'}          | publish_ts: must be from 1900-01-01T00:00:00Z and before 2100-01-01T00:00:00Z",
        "c               | {'publish_ts':'2100-01-01T00:00:00Z'}          | publish_ts: must be from 1900-01-01T00:00:00Z and before 2100-01-01T00:00:00Z",
        "c               | {'publish_ts':'+999999999-12-31T00:00:00Z'}    | publish_ts: must be from 1900-01-01T00:00:00Z and before 2100-01-01T00:00:00Z",
        "c               | {'publish_ts':'yesterday'}                     | publish_ts: must be an ISO-8601 string with offset",
    })
    void refusesNamingTheField(String contentId, String body, String message) throws IOException {
        assertEquals(message, assertInstanceOf(ContentValidation.Invalid.class, validate(contentId, body)).message());
    }

    @Test
    void checksTheContentIdOfTheUrlLikeAnyOtherString() throws IOException {
        assertEquals("content_id: must not contain NUL (U+0000)", ((ContentValidation.Invalid) validate("c\u0000", "{}")).message());
        assertEquals("content_id: must not contain an unpaired surrogate", ((ContentValidation.Invalid) validate("\ud800", "{}")).message());
    }

    @Test
    void boundsLengths() throws IOException {
        assertEquals("content_id: must be 1-128 characters",
                ((ContentValidation.Invalid) validate("c".repeat(129), "{}")).message());
        assertEquals("content_id: must be 1-128 characters", ((ContentValidation.Invalid) validate("", "{}")).message());
        assertEquals("title: must be at most 1024 characters",
                ((ContentValidation.Invalid) validate("c", "{'title':'" + "t".repeat(1025) + "'}")).message());
        assertEquals("content_type: must be at most 128 characters",
                ((ContentValidation.Invalid) validate("c", "{'content_type':'" + "t".repeat(129) + "'}")).message());
    }

    @Test
    void acceptsAValidRecord() throws IOException {
        ContentMetadata content = assertInstanceOf(ContentValidation.Valid.class, validate("c".repeat(128),
                "{'title':'" + "t".repeat(1024) + "','content_type':'video','length_seconds':2147483647,'publish_ts':'1900-01-01T01:00:00+01:00'}"))
                .content();
        assertEquals(new ContentMetadata("app", "c".repeat(128), "t".repeat(1024), "video", Integer.MAX_VALUE,
                Instant.parse("1900-01-01T00:00:00Z")), content);
    }
}
