package dev.pulse.query.rest;

import dev.pulse.contract.problem.Bearer;
import dev.pulse.contract.problem.ProblemException;
import dev.pulse.query.domain.App;
import dev.pulse.query.service.InputLimits;
import dev.pulse.query.service.ReadTokenService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Resolves {@code Authorization: Bearer <read token>} and checks it is the token of the app asked about:
 * 401 without a known token, 404 for another app's data (which does not even confirm that app exists).
 */
@ApplicationScoped
public class ReadTokenAuthenticator {
    private final ReadTokenService tokens;

    public ReadTokenAuthenticator(ReadTokenService tokens) {
        this.tokens = tokens;
    }

    public Uni<App> authorize(String authorization, String appId) {
        String token = Bearer.token(authorization);
        if (appId == null || appId.isBlank()) {
            throw ProblemException.badRequest("app is required", "app");
        }
        InputLimits.text(appId, "app");
        return tokens.find(token).map(app -> {
            App found = app.orElseThrow(() -> ProblemException.unauthorized("unknown read token"));
            if (!found.appId().equals(appId)) {
                throw new ProblemException(404, "Not Found", "no app " + appId + " for this token", "app", null, null);
            }
            return found;
        });
    }
}
