package dev.pulse.ingest.rest;

import dev.pulse.contract.problem.ProblemException;
/** Reads {@code Authorization: Bearer <token>}. */
final class BearerToken {
    private static final String PREFIX = "bearer ";

    private BearerToken() {
    }

    static String from(String authorization) {
        if (authorization == null || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw ProblemException.unauthorized("Authorization: Bearer <key> is required");
        }
        return authorization.substring(PREFIX.length()).trim();
    }
}
