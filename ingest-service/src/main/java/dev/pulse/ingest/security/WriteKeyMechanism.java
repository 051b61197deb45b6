package dev.pulse.ingest.security;

import dev.pulse.web.security.BearerTokenMechanism;
import dev.pulse.web.security.BearerTokenRequest;
import jakarta.enterprise.context.ApplicationScoped;

/** An app's write key, for the resources marked {@code @HttpAuthenticationMechanism(WriteKeyMechanism.SCHEME)}. */
@ApplicationScoped
public class WriteKeyMechanism extends BearerTokenMechanism {
    public static final String SCHEME = "write-key";

    public WriteKeyMechanism() {
        super(SCHEME, WriteKeyRequest.class, WriteKeyRequest::new);
    }

    public static final class WriteKeyRequest extends BearerTokenRequest {
        public WriteKeyRequest(String token) {
            super(token);
        }
    }
}
