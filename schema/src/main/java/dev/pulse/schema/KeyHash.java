package dev.pulse.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How write keys and read tokens are stored in {@code apps} (SPEC §1): ingest writes the hashes, query-api
 * looks them up, so both must hash alike.
 */
public final class KeyHash {
    private KeyHash() {
    }

    public static String of(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
