package dev.pulse.schema;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis Cluster maps a key to one of 16384 slots by CRC16 of the key, or of its hash tag; a command or script over
 * keys of several slots is refused there. Every key of one app must therefore land in one slot.
 */
class RedisKeysTest {

    /** Every per-app key builder, for one app. */
    private static List<String> keysOf(String app) {
        return List.of(
                RedisKeys.events(app, 29_000_000L),
                RedisKeys.users(app, 29_000_001L),
                RedisKeys.topContent(app, 29_000_002L),
                RedisKeys.topEvents(app, 29_000_003L),
                RedisKeys.dailyUsers(app, LocalDate.of(2026, 11, 3)),
                RedisKeys.recentContentEvents(app, "video-{42}"),
                RedisKeys.rateLimit(app));
    }

    @Test
    void everyKeyOfAnAppMapsToTheSlotOfItsHashTag() {
        for (String app : List.of("demo", "shop", "a", "my-app-2", "x".repeat(40))) {
            Set<Integer> slots = keysOf(app).stream().map(RedisKeysTest::slot).collect(Collectors.toSet());
            assertEquals(Set.of(slot("{" + app + "}")), slots, "keys of " + app + ": " + keysOf(app));
        }
    }

    @Test
    void appsSpreadOverSlots() {
        // the tag is the app, not a constant: apps must not all share one slot (one node would hold every key)
        Set<Integer> slots = java.util.stream.IntStream.range(0, 100).mapToObj(i -> slot(RedisKeys.rateLimit("app-" + i)))
                .collect(Collectors.toSet());
        assertTrue(slots.size() > 90, "100 apps on " + slots.size() + " slots");
        assertNotEquals(slot(RedisKeys.events("a", 1)), slot(RedisKeys.events("b", 1)));
    }

    @Test
    void prefixesStayWhatTheAclsAndTheRebuildMatch() {
        for (String key : keysOf("demo")) {
            if (!key.equals(RedisKeys.rateLimit("demo"))) {
                assertTrue(key.startsWith("rt:"), key + " is cleared by the rebuild's SCAN MATCH rt:* and readable by query-api's ~rt:*");
            }
        }
        assertEquals("rl:{demo}", RedisKeys.rateLimit("demo"));
        assertEquals("rt:{demo}:ev:7", RedisKeys.events("demo", 7));
        assertTrue(RedisKeys.recentContentEvents("demo", "c1").startsWith(RedisKeys.recentContentEventsPattern("demo").replace("*", "")));
    }

    @Test
    void slotFunctionMatchesRedisDocumentedValues() {
        // from the Redis Cluster specification: CRC16("123456789") = 0x31C3, and tag examples
        assertEquals(0x31C3, crc16("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("user1000"), slot("foo{user1000}{bar}"));
        assertEquals(slot("foo{}{bar}"), crc16("foo{}{bar}".getBytes(StandardCharsets.UTF_8)) & 16383, "an empty tag hashes the whole key");
        assertEquals(slot("{bar"), crc16("{bar".getBytes(StandardCharsets.UTF_8)) & 16383, "no closing brace: the whole key");
        // the CLUSTER KEYSLOT examples of Redis's documentation
        assertEquals(11058, slot("somekey"));
        assertEquals(2515, slot("foo{hash_tag}"));
        assertEquals(2515, slot("bar{hash_tag}"));
    }

    /** Redis Cluster's HASH_SLOT: the hash tag rule, then CRC16 mod 16384. */
    static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int open = -1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '{') {
                open = i;
                break;
            }
        }
        if (open >= 0) {
            for (int close = open + 1; close < bytes.length; close++) {
                if (bytes[close] == '}') {
                    if (close > open + 1) {
                        byte[] tag = java.util.Arrays.copyOfRange(bytes, open + 1, close);
                        return crc16(tag) & 16383;
                    }
                    break;
                }
            }
        }
        return crc16(bytes) & 16383;
    }

    /** CRC16-XMODEM (CCITT polynomial 0x1021, initial value 0, no reflection), as Redis Cluster uses it. */
    static int crc16(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xFF) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                crc &= 0xFFFF;
            }
        }
        return crc;
    }
}
