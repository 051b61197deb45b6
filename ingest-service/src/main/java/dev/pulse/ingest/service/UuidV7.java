package dev.pulse.ingest.service;

import java.security.SecureRandom;
import java.util.UUID;

/** RFC 9562 UUIDv7: time-ordered ids, so generated event ids also sort by receive time. */
public final class UuidV7 {
    private static final SecureRandom RANDOM = new SecureRandom();

    private UuidV7() {
    }

    public static UUID next(long epochMillis) {
        long msb = (epochMillis << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
