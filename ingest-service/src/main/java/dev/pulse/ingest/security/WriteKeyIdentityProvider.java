package dev.pulse.ingest.security;

import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.service.AppService;
import dev.pulse.web.security.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A write key is its app's identity: the principal is the app id, the app itself an attribute ({@link #app}). */
@ApplicationScoped
public class WriteKeyIdentityProvider implements IdentityProvider<WriteKeyMechanism.WriteKeyRequest> {
    private static final String APP = "pulse.app";

    private final AppService apps;

    public WriteKeyIdentityProvider(AppService apps) {
        this.apps = apps;
    }

    @Override
    public Class<WriteKeyMechanism.WriteKeyRequest> getRequestType() {
        return WriteKeyMechanism.WriteKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(WriteKeyMechanism.WriteKeyRequest request, AuthenticationRequestContext context) {
        return apps.findByWriteKey(request.token()).map(found -> {
            App app = found.orElseThrow(() -> new AuthenticationFailedException("unknown write key"));
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(app.appId()))
                    .addRole(Roles.WRITER).addAttribute(APP, app).build();
        });
    }

    /** The app of an identity this provider made. */
    public static App app(SecurityIdentity identity) {
        return identity.getAttribute(APP);
    }
}
