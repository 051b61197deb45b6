package dev.pulse.web.security;

import jakarta.enterprise.context.ApplicationScoped;

/** The admin token of a service, for the resources marked {@code @HttpAuthenticationMechanism(AdminTokenMechanism.SCHEME)}. */
@ApplicationScoped
public class AdminTokenMechanism extends BearerTokenMechanism {
    public static final String SCHEME = "admin-token";

    public AdminTokenMechanism() {
        super(SCHEME, AdminTokenRequest.class, AdminTokenRequest::new);
    }

    public static final class AdminTokenRequest extends BearerTokenRequest {
        public AdminTokenRequest(String token) {
            super(token);
        }
    }
}
