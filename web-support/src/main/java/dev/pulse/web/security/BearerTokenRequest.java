package dev.pulse.web.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A token sent as {@code Authorization: Bearer <token>}; each kind of credential has its own subclass, so that
 * Quarkus hands it to that kind's identity provider only.
 */
public abstract class BearerTokenRequest extends BaseAuthenticationRequest {
    private final String token;

    protected BearerTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
