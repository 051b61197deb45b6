package dev.pulse.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC §8 accepted values: only what every store downstream keeps. JSON is written with {@code '} for {@code "}
 * so the cases stay readable; {@code \\u0000} is JSON's NUL escape, {@code \\ud800} an unpaired surrogate.
 */
class AcceptedValuesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String singleQuoted) throws IOException {
        return MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }

    private static Validation validate(String singleQuoted) throws IOException {
        return EventValidator.validate(json(singleQuoted));
    }

    private static String refused(String singleQuoted) throws IOException {
        return assertInstanceOf(Validation.Invalid.class, validate(singleQuoted), singleQuoted).message();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "{'event':'signup','user_id':'a\\u0000b'}                                   | user_id: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','session_id':'s\\u0000'}                   | session_id: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','event_id':'\\u0000'}                      | event_id: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','properties':{'title':'x\\u0000'}}         | properties.title: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','properties':{'a':{'b':['ok','\\u0000']}}} | properties.a.b[1]: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','properties':{'k\\u0000':1}}               | properties.k\\u0000: key must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','user':{'city':'\\u0000'}}                 | user.city: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','context':{'url':'/\\u0000'}}              | context.url: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','extra':['\\u0000']}                       | extra[0]: must not contain NUL (U+0000)",
        "{'event':'signup','user_id':'u','user':{'os':'\\ud800'}}                   | user.os: must not contain an unpaired surrogate",
        "{'event':'signup','user_id':'u','properties':{'x':'\\udc00x'}}             | properties.x: must not contain an unpaired surrogate",
        "{'event':'signup','user_id':'u','context':{'referrer':'a\\ud83d'}}         | context.referrer: must not contain an unpaired surrogate",
        "{'event':'signup','user_id':'u','timestamp':'1999-12-31T23:59:59Z'}        | timestamp: must be from 2000-01-01T00:00:00Z and before +10000-01-01T00:00:00Z",
        "{'event':'signup','user_id':'u','timestamp':'0001-01-01T00:00:00Z'}        | timestamp: must be from 2000-01-01T00:00:00Z and before +10000-01-01T00:00:00Z",
        "{'event':'signup','user_id':'u','timestamp':'+999999999-12-01T00:00:00Z'}  | timestamp: must be from 2000-01-01T00:00:00Z and before +10000-01-01T00:00:00Z",
        "{'event':'signup','user_id':100000000000000000000}                         | user_id: must be an integer in the 64-bit range",
        "{'event':'feed.view','user_id':'u','properties':{'post_id':9223372036854775808}} | properties.post_id: must be an integer in the 64-bit range",
        "{'event':'content.engagement','user_id':'u','properties':{'content_id':'c','duration_ms':9007199254740992}} | properties.duration_ms: must be a number in [0, 9007199254740991]",
        "{'event':'content.engagement','user_id':'u','properties':{'content_id':'c','duration_ms':1e30}} | properties.duration_ms: must be a number in [0, 9007199254740991]",
        "{'event':'content.engagement','user_id':'u','properties':{'content_id':'c','duration_ms':99999999999999999999999}} | properties.duration_ms: must be an integer in the 64-bit range",
        "{'event':'purchase','user_id':'u','properties':{'revenue':1000000000000001}}    | properties.revenue: must be a number in [0, 1000000000000000]",
        "{'event':'purchase','user_id':'u','properties':{'revenue':1e400}}           | properties.revenue: must be a finite number",
        "{'event':'signup','user_id':'u','properties':{'n':-1e999}}                  | properties.n: must be a finite number",
        "{'event':'signup','user_id':'u','user':{'age':1e40}}                        | user.age: must be an integer in [0, 150]",
        "{'event':'signup','user_id':'u','user':{'exp_group':2147483648}}            | user.exp_group: must be an integer in [-2147483648, 2147483647]",
        "{'event':'signup','user_id':'u','properties':{'a':{'b':{'c':{'d':{'e':{}}}}}}} | properties.a.b.c.d.e: nested deeper than 5 levels",
    })
    void refusesWhatAStoreCannotKeepNamingTheField(String json, String message) throws IOException {
        assertEquals(message, refused(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'event':'signup','user_id':'u','timestamp':'2000-01-01T00:00:00Z'}",
        "{'event':'signup','user_id':'u','timestamp':'9999-12-31T23:59:59Z'}",
        "{'event':'signup','user_id':'\\ud83d\\ude00','properties':{'\\ud83d\\ude00':'\\u0001 control characters are fine'}}",
        "{'event':'signup','user_id':9223372036854775807}",
        "{'event':'content.engagement','user_id':'u','properties':{'content_id':'c','duration_ms':9007199254740991}}",
        "{'event':'purchase','user_id':'u','properties':{'revenue':1000000000000000}}",
        "{'event':'signup','user_id':'u','properties':{'a':{'b':{'c':{'d':[1]}}}}}",
    })
    void acceptsTheEdgesOfEachWindow(String json) throws IOException {
        assertInstanceOf(Validation.Valid.class, validate(json), json);
    }

    @Test
    void checksTimesIngestComputes() {
        assertTrue(EventValidator.checkTimestamp(Instant.parse("2000-01-01T00:00:00Z")).isEmpty());
        assertEquals("timestamp", EventValidator.checkTimestamp(Instant.parse("1999-12-31T23:59:59Z")).orElseThrow().field());
    }

    @Test
    void boundsPropertyKeysAndElements() throws IOException {
        ObjectNode event = (ObjectNode) json("{'event':'signup','user_id':'u'}");
        ObjectNode properties = event.putObject("properties");
        for (int i = 0; i < Limits.MAX_PROPERTY_ENTRIES - 2; i++) {
            properties.put("k" + i, i);
        }
        properties.putArray("list").add(1);
        assertInstanceOf(Validation.Valid.class, EventValidator.validate(event));
        ((com.fasterxml.jackson.databind.node.ArrayNode) properties.get("list")).add(2);
        assertEquals("properties: more than 256 keys and array elements", ((Validation.Invalid) EventValidator.validate(event)).message());

        ObjectNode longKey = (ObjectNode) json("{'event':'signup','user_id':'u','properties':{}}");
        ((ObjectNode) longKey.get("properties")).put("k".repeat(Limits.MAX_PROPERTY_KEY_LENGTH + 1), 1);
        assertEquals("properties." + "k".repeat(128) + "…: key longer than 128 characters",
                ((Validation.Invalid) EventValidator.validate(longKey)).message());
    }

    /** The bound is on the bytes Jackson writes, which the validator computes without writing them. */
    @Test
    void boundsPropertyBytesExactlyAsJacksonWritesThem() throws IOException {
        String tricky = "é€😀\"\\\n\b\u0001\u001f/";
        ObjectNode event = (ObjectNode) json("{'event':'signup','user_id':'u'}");
        ObjectNode properties = event.putObject("properties");
        properties.put("tricky" + tricky, tricky).put("n", 1.5e20).put("d", 0.1).put("b", true).putNull("z")
                .putArray("a").add(-3).add("x").addObject().put("deep", 9_007_199_254_740_993L);
        int base = MAPPER.writeValueAsBytes(properties).length;
        assertEquals(base, JsonTree.jsonBytes(properties));
        properties.put("fill", "x".repeat(Limits.MAX_PROPERTY_BYTES - base - ",\"fill\":\"\"".length()));
        assertEquals(Limits.MAX_PROPERTY_BYTES, MAPPER.writeValueAsBytes(properties).length);
        assertInstanceOf(Validation.Valid.class, EventValidator.validate(event));
        properties.put("fill", properties.get("fill").textValue() + "x");
        assertEquals("properties: larger than 16384 bytes as JSON", ((Validation.Invalid) EventValidator.validate(event)).message());
    }
}
