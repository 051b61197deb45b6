package dev.pulse.query.security;

import dev.pulse.web.security.BearerTokenMechanism;
import dev.pulse.web.security.BearerTokenRequest;
import jakarta.enterprise.context.ApplicationScoped;

/** An app's read token, for the resources marked {@code @HttpAuthenticationMechanism(ReadTokenMechanism.SCHEME)}. */
@ApplicationScoped
public class ReadTokenMechanism extends BearerTokenMechanism {
    public static final String SCHEME = "read-token";

    public ReadTokenMechanism() {
        super(SCHEME, ReadTokenRequest.class, ReadTokenRequest::new);
    }

    public static final class ReadTokenRequest extends BearerTokenRequest {
        public ReadTokenRequest(String token) {
            super(token);
        }
    }
}
