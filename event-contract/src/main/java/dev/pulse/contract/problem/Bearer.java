package dev.pulse.contract.problem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** {@code Authorization: Bearer <token>}, as every Pulse API reads it; a missing or wrong one is a 401. */
public final class Bearer {
    private static final String PREFIX = "bearer ";

    private Bearer() {
    }

    public static String token(String authorization) {
        if (authorization == null || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw ProblemException.unauthorized("Authorization: Bearer <token> is required");
        }
        return authorization.substring(PREFIX.length()).trim();
    }

    /** Checks an admin token in constant time; {@code property} names the setting when none is configured. */
    public static void requireAdmin(Optional<String> configured, String authorization, String property) {
        String expected = configured.orElseThrow(() -> ProblemException.unauthorized("no admin token is configured (" + property + ")"));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), token(authorization).getBytes(StandardCharsets.UTF_8))) {
            throw ProblemException.unauthorized("wrong admin token");
        }
    }
}
