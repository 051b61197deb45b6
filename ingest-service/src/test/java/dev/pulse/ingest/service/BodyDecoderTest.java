package dev.pulse.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.web.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SPEC §2 body shapes and limits, with a 1024-byte body limit and 3 events per request so that bounds are cheap to reach. */
class BodyDecoderTest {
    private static final int MAX_BODY = 1024;
    private static final int MAX_EVENTS = 3;
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    private static final IngestConfig CONFIG = IngestConfigs.with(
            "max-body-bytes", Integer.toString(MAX_BODY), "max-events-per-request", Integer.toString(MAX_EVENTS));

    private final BodyDecoder decoder = new BodyDecoder(new ObjectMapper(), CONFIG);

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A single event padded with trailing spaces (still one JSON value) to exactly {@code size} bytes. */
    private static byte[] eventOfSize(int size) {
        String event = "{\"event\":\"signup\"}";
        return utf8(event + " ".repeat(size - event.length()));
    }

    private ProblemException refused(byte[] body, String contentType, String contentEncoding) {
        return assertThrows(ProblemException.class, () -> decoder.decode(body, contentType, contentEncoding));
    }

    private static String name(JsonNode event) {
        return event.get("event").asText();
    }

    @Test
    void aSingleObjectIsOneEvent() {
        DecodedBody body = decoder.decode(utf8("{\"event\":\"signup\",\"user_id\":\"u1\"}"), JSON, null);
        assertEquals(1, body.events().size());
        assertEquals("signup", name(body.events().get(0)));
        assertEquals("u1", body.events().get(0).get("user_id").asText());
        assertNull(body.sentAt());
        assertNull(body.lineError(0));
    }

    @Test
    void anArrayKeepsItsOrder() {
        DecodedBody body = decoder.decode(utf8("[{\"event\":\"a\"},{\"event\":\"b\"},{\"event\":\"c\"}]"), JSON, "identity");
        assertEquals(3, body.events().size());
        assertEquals("a", name(body.events().get(0)));
        assertEquals("b", name(body.events().get(1)));
        assertEquals("c", name(body.events().get(2)));
        assertNull(body.sentAt());
    }

    @Test
    void anEmptyArrayIsNoEventsLeftForTheServiceToRefuse() {
        assertTrue(decoder.decode(utf8("[]"), JSON, null).events().isEmpty());
    }

    @Test
    void aBatchCarriesItsSentAtAsAnInstant() {
        // 10:00 at +02:00 is 08:00 UTC
        DecodedBody body = decoder.decode(
                utf8("{\"batch\":[{\"event\":\"a\"},{\"event\":\"b\"}],\"sent_at\":\"2026-12-01T10:00:00+02:00\"}"), JSON, null);
        assertEquals(2, body.events().size());
        assertEquals("b", name(body.events().get(1)));
        assertEquals(Instant.parse("2026-12-01T08:00:00Z"), body.sentAt());
    }

    @Test
    void aBatchWithoutOrWithANullSentAtHasNone() {
        assertNull(decoder.decode(utf8("{\"batch\":[{\"event\":\"a\"}]}"), JSON, null).sentAt());
        assertNull(decoder.decode(utf8("{\"batch\":[{\"event\":\"a\"}],\"sent_at\":null}"), JSON, null).sentAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"yesterday\"", "\"2026-12-01T10:00:00\"", "\"2026-13-01T10:00:00Z\"", "12345", "\"\""})
    void aMalformedSentAtIsRefusedNamingIt(String sentAt) {
        // the second lacks the offset the field requires, the third has month 13
        ProblemException e = refused(utf8("{\"batch\":[{\"event\":\"a\"}],\"sent_at\":" + sentAt + "}"), JSON, null);
        assertEquals(400, e.status());
        assertEquals("sent_at", e.toProblem().field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"batch\":{\"event\":\"a\"}}", "{\"batch\":\"a\"}", "{\"batch\":null}"})
    void aBatchThatIsNotAnArrayIsRefusedNamingIt(String body) {
        ProblemException e = refused(utf8(body), JSON, null);
        assertEquals(400, e.status());
        assertEquals("batch", e.toProblem().field());
    }

    @Test
    void ndjsonKeepsABadLineInPlaceAsANullWithItsError() {
        // blank lines are skipped, CRLF ends a line like LF: three events, the second unreadable
        String lines = "{\"event\":\"a\"}\r\n\n{not json\n   \n{\"event\":\"b\"}\n";
        DecodedBody body = decoder.decode(utf8(lines), NDJSON, null);
        assertEquals(3, body.events().size());
        assertEquals("a", name(body.events().get(0)));
        assertNull(body.events().get(1));
        assertEquals("b", name(body.events().get(2)));
        assertNull(body.lineError(0));
        assertNotNull(body.lineError(1));
        assertTrue(body.lineError(1).startsWith("line is not valid JSON"), body.lineError(1));
        assertNull(body.lineError(2));
        assertNull(body.sentAt());
    }

    @Test
    void ndjsonWithOnlyBlankLinesIsRefused() {
        assertEquals(400, refused(utf8("\n  \r\n\n"), NDJSON, null).status());
    }

    @Test
    void ndjsonOverTheEventLimitIsTooLarge() {
        assertEquals(3, decoder.decode(utf8("{}\n{}\n{}\n"), NDJSON, null).events().size());
        assertEquals(413, refused(utf8("{}\n{}\n{}\n{}\n"), NDJSON, null).status());
        // a bad line counts like any other
        assertEquals(413, refused(utf8("{}\n{}\n{}\n{bad\n"), NDJSON, null).status());
    }

    @Test
    void moreEventsThanTheLimitIsTooLargeInEveryShape() {
        assertEquals(3, decoder.decode(utf8("[{},{},{}]"), JSON, null).events().size());
        assertEquals(413, refused(utf8("[{},{},{},{}]"), JSON, null).status());
        assertEquals(413, refused(utf8("{\"batch\":[{},{},{},{}]}"), JSON, null).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "x-gzip", " GZIP ", "X-Gzip"})
    void gzipBodiesAreInflated(String encoding) {
        DecodedBody body = decoder.decode(gzip(utf8("[{\"event\":\"a\"},{\"event\":\"b\"}]")), JSON, encoding);
        assertEquals(2, body.events().size());
        assertEquals("b", name(body.events().get(1)));
    }

    @Test
    void gzipNdjsonIsInflatedToo() {
        DecodedBody body = decoder.decode(gzip(utf8("{\"event\":\"a\"}\n{\"event\":\"b\"}\n")), NDJSON, "gzip");
        assertEquals(2, body.events().size());
    }

    @Test
    void theBodyLimitHoldsAfterDecompressionToTheByte() {
        assertEquals(1, decoder.decode(gzip(eventOfSize(MAX_BODY)), JSON, "gzip").events().size());
        byte[] oneOver = gzip(eventOfSize(MAX_BODY + 1));
        assertTrue(oneOver.length < MAX_BODY, "the compressed body alone must pass the limit");
        assertEquals(413, refused(oneOver, JSON, "gzip").status());
    }

    @Test
    void aGzipBombIsStoppedAtTheLimit() {
        // deflate's ratio tops out near 1:1032, so 100 KiB of spaces compress to roughly 100 bytes plus the gzip frame:
        // a body far under the limit that inflates to 100 times it
        byte[] bomb = new byte[100 * 1024];
        Arrays.fill(bomb, (byte) ' ');
        byte[] compressed = gzip(bomb);
        assertTrue(compressed.length < MAX_BODY, "the bomb must pass the compressed-size check: " + compressed.length);
        assertEquals(413, refused(compressed, JSON, "gzip").status());
    }

    @Test
    void aPlainBodyOverTheLimitIsTooLarge() {
        assertEquals(1, decoder.decode(eventOfSize(MAX_BODY), JSON, null).events().size());
        assertEquals(413, refused(eventOfSize(MAX_BODY + 1), JSON, null).status());
        assertEquals(413, refused(eventOfSize(MAX_BODY + 1), NDJSON, "identity").status());
    }

    @Test
    void invalidGzipIsABadRequest() {
        assertEquals(400, refused(utf8("{\"event\":\"a\"}"), JSON, "gzip").status());
        // a real gzip stream cut in the middle: the header is fine, the data ends early
        byte[] whole = gzip(utf8("[{\"event\":\"a\"},{\"event\":\"b\"}]"));
        assertEquals(400, refused(Arrays.copyOf(whole, whole.length / 2), JSON, "gzip").status());
        assertEquals(400, refused(new byte[0], JSON, "gzip").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "APPLICATION/JSON", " application/json ;charset=UTF-8"})
    void theJsonMediaTypeIsReadWhateverItsCaseAndParameters(String contentType) {
        assertEquals(1, decoder.decode(utf8("{\"event\":\"a\"}"), contentType, null).events().size());
    }

    @Test
    void theNdjsonMediaTypeMayCarryACharset() {
        assertEquals(2, decoder.decode(utf8("{}\n{}"), "application/x-ndjson; charset=utf-8", null).events().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/jsonx", "application/x-www-form-urlencoded", "", "json"})
    void anotherContentTypeIsUnsupported(String contentType) {
        ProblemException e = refused(utf8("{\"event\":\"a\"}"), contentType, null);
        assertEquals(415, e.status());
        assertEquals("Content-Type", e.toProblem().field());
    }

    @Test
    void aMissingContentTypeIsUnsupported() {
        assertEquals(415, refused(utf8("{\"event\":\"a\"}"), null, null).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "deflate", "compress", "gzip, br", "zstd"})
    void anotherContentEncodingIsUnsupported(String encoding) {
        ProblemException e = refused(utf8("{\"event\":\"a\"}"), JSON, encoding);
        assertEquals(415, e.status());
        // the problem names the header that is wrong
        assertEquals("Content-Encoding", e.toProblem().field());
    }

    @Test
    void anEmptyBodyIsABadRequest() {
        assertEquals(400, refused(new byte[0], JSON, null).status());
        assertEquals(400, refused(utf8("  \n "), JSON, null).status());
        assertEquals(400, refused(new byte[0], NDJSON, null).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"event\":}", "42", "\"signup\"", "null", "true", "\u0000"})
    void aBodyThatIsNotAnEventOrAListOfThemIsABadRequest(String body) {
        assertEquals(400, refused(utf8(body), JSON, null).status());
    }
}
