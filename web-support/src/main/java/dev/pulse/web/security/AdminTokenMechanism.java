package dev.pulse.web.security;

/**
 * The admin token of a service, for the resources marked {@code @HttpAuthenticationMechanism(AdminTokenMechanism.SCHEME)}.
 * Not a bean by itself: a service with an admin API produces it next to its {@link AdminTokenIdentityProvider}, since
 * Quarkus refuses a mechanism without a provider (query-api has neither).
 */
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
