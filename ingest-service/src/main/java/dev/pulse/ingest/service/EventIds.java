package dev.pulse.ingest.service;

import dev.pulse.web.problem.ProblemException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ids Pulse generates for the events of one request that came without {@code event_id}. With an
 * {@code Idempotency-Key}, the i-th event's id is a name-based UUID (RFC 9562 version 5) of app, key and i, so a
 * resent request gets the same ids and enrich's dedup drops the copies; without one, a time-ordered UUIDv7.
 */
public final class EventIds {
    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");
    /** Namespace of Pulse's name-based event ids (a random UUID, fixed forever: changing it changes every derived id). */
    private static final UUID NAMESPACE = UUID.fromString("6f0c1b8e-3f7a-4c55-9a41-2d7e5b9c8a13");

    private final String appId;
    private final String key;
    private final long receivedAtMillis;

    private EventIds(String appId, String key, long receivedAtMillis) {
        this.appId = appId;
        this.key = key;
        this.receivedAtMillis = receivedAtMillis;
    }

    /** @param idempotencyKey the header's value, or null; anything but 1-255 printable ASCII characters is a 400 */
    public static EventIds forRequest(String appId, String idempotencyKey, Instant receivedAt) {
        if (idempotencyKey != null && !KEY.matcher(idempotencyKey).matches()) {
            throw ProblemException.badRequest(HEADER + " must be 1-255 printable ASCII characters", HEADER);
        }
        return new EventIds(appId, idempotencyKey, receivedAt.toEpochMilli());
    }

    /** The id of the event at {@code index} in the request. */
    public UUID generate(int index) {
        return key == null ? UuidV7.next(receivedAtMillis) : nameBased(NAMESPACE, appId + "\n" + key + "\n" + index);
    }

    static UUID nameBased(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits()).array());
        ByteBuffer hash = ByteBuffer.wrap(sha1.digest(name.getBytes(StandardCharsets.UTF_8)));
        long msb = (hash.getLong() & ~0xF000L) | 0x5000L;
        long lsb = (hash.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
