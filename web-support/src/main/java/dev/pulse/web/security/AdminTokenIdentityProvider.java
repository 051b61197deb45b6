package dev.pulse.web.security;

import dev.pulse.schema.KeyHash;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks a service's admin token in constant time. The principal names the token by a hash prefix, so an audit
 * record can tell which token acted without storing it; each service gives its configured token and its setting.
 */
public abstract class AdminTokenIdentityProvider implements IdentityProvider<AdminTokenMechanism.AdminTokenRequest> {
    private final Optional<String> configured;
    private final String property;

    protected AdminTokenIdentityProvider(Optional<String> configured, String property) {
        this.configured = configured;
        this.property = property;
    }

    @Override
    public Class<AdminTokenMechanism.AdminTokenRequest> getRequestType() {
        return AdminTokenMechanism.AdminTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(AdminTokenMechanism.AdminTokenRequest request, AuthenticationRequestContext context) {
        if (configured.isEmpty()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("no admin token is configured (" + property + ")"));
        }
        byte[] sent = request.token().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(configured.get().getBytes(StandardCharsets.UTF_8), sent)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("wrong admin token"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("admin-token:" + KeyHash.of(request.token()).substring(0, 12)))
                .addRole(Roles.ADMIN)
                .build());
    }
}
