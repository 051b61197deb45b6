package dev.pulse.ingest.rest;

import dev.pulse.contract.problem.ProblemException;
import dev.pulse.contract.problem.Bearer;
import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.service.AppService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Resolves {@code Authorization: Bearer <write key>} to its app, or a 401. */
@ApplicationScoped
public class WriteKeyAuthenticator {
    private final AppService apps;

    public WriteKeyAuthenticator(AppService apps) {
        this.apps = apps;
    }

    public Uni<App> authenticate(String authorization) {
        return apps.findByWriteKey(Bearer.token(authorization))
                .map(app -> app.orElseThrow(() -> ProblemException.unauthorized("unknown write key")));
    }
}
