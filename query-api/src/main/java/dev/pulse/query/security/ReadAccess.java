package dev.pulse.query.security;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.domain.App;
import dev.pulse.query.service.InputLimits;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The app a request asks about, once the caller's read token is known to be that app's: 400 without an app,
 * 404 for another app's data (which does not even confirm that app exists).
 */
@ApplicationScoped
public class ReadAccess {
    private final CurrentIdentityAssociation identities;

    public ReadAccess(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    public Uni<App> app(String appId) {
        if (appId == null || appId.isBlank()) {
            throw ProblemException.badRequest("app is required", "app");
        }
        InputLimits.text(appId, "app");
        return identities.getDeferredIdentity().map(identity -> {
            App app = identity.getAttribute(ReadTokenIdentityProvider.APP);
            if (!app.appId().equals(appId)) {
                throw ProblemException.notFound("no app " + appId + " for this token", "app");
            }
            return app;
        });
    }
}
