package dev.pulse.aggregate.security;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.web.security.AdminTokenIdentityProvider;
import dev.pulse.web.security.AdminTokenMechanism;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

// a singleton: the base class keeps its settings in final fields, which a client proxy could not subclass
@Singleton
public class AggregateAdminTokenProvider extends AdminTokenIdentityProvider {
    public AggregateAdminTokenProvider(AggregateConfig config) {
        super(config.admin().token(), "pulse.aggregate.admin.token");
    }

    @Produces
    @Singleton
    AdminTokenMechanism mechanism() {
        return new AdminTokenMechanism();
    }
}
