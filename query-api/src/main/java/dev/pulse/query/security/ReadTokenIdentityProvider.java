package dev.pulse.query.security;

import dev.pulse.query.domain.App;
import dev.pulse.query.service.ReadTokenService;
import dev.pulse.web.security.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A read token is its app's identity: the principal is the app id, the app itself an attribute. */
@ApplicationScoped
public class ReadTokenIdentityProvider implements IdentityProvider<ReadTokenMechanism.ReadTokenRequest> {
    static final String APP = "pulse.app";

    private final ReadTokenService tokens;

    public ReadTokenIdentityProvider(ReadTokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<ReadTokenMechanism.ReadTokenRequest> getRequestType() {
        return ReadTokenMechanism.ReadTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ReadTokenMechanism.ReadTokenRequest request, AuthenticationRequestContext context) {
        return tokens.find(request.token()).map(found -> {
            App app = found.orElseThrow(() -> new AuthenticationFailedException("unknown read token"));
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(app.appId()))
                    .addRole(Roles.READER).addAttribute(APP, app).build();
        });
    }
}
