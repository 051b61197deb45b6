package dev.pulse.ingest.security;

import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.web.security.AdminTokenIdentityProvider;
import dev.pulse.web.security.AdminTokenMechanism;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

// a singleton: the base class keeps its settings in final fields, which a client proxy could not subclass
@Singleton
public class IngestAdminTokenProvider extends AdminTokenIdentityProvider {
    public IngestAdminTokenProvider(IngestConfig config) {
        super(config.admin().token(), "pulse.ingest.admin.token");
    }

    @Produces
    @Singleton
    AdminTokenMechanism mechanism() {
        return new AdminTokenMechanism();
    }
}
