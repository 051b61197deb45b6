package dev.pulse.web.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code Authorization: Bearer <token>} for one kind of credential. Every kind uses the same header, so a
 * resource names its kind with {@code @HttpAuthenticationMechanism(scheme)} (which needs lazy authentication:
 * {@code quarkus.http.auth.proactive=false}); without a header the caller stays anonymous and
 * {@code @RolesAllowed} answers 401.
 */
public abstract class BearerTokenMechanism implements HttpAuthenticationMechanism {
    public static final String REQUIRED = "Authorization: Bearer <token> is required";
    private static final String PREFIX = "bearer ";

    private final String scheme;
    private final Class<? extends BearerTokenRequest> type;
    private final Function<String, BearerTokenRequest> request;

    protected <R extends BearerTokenRequest> BearerTokenMechanism(String scheme, Class<R> type, Function<String, R> request) {
        this.scheme = scheme;
        this.type = type;
        this.request = request::apply;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return Uni.createFrom().nullItem();
        }
        String token = token(header);
        if (token == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException(REQUIRED));
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request.apply(token), context));
    }

    /** The token of an Authorization header, null when it is not a non-empty bearer token. */
    static String token(String authorization) {
        if (authorization.length() <= PREFIX.length() || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return null;
        }
        String token = authorization.substring(PREFIX.length()).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(type);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer", scheme));
    }
}
