package dev.pulse.ingest.config;

import dev.pulse.contract.config.ProductionSecrets;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.Config;
import java.util.List;

/** In the prod profile, refuses to start with a placeholder or short secret, before anything else starts (ProductionSecrets). */
public class SecretsCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, Config config) {
        if (ConfigUtils.isProfileActive("prod")) {
            ProductionSecrets.require(config, config.getOptionalValue("pulse.migrate-only", Boolean.class).orElse(false)
                    // the migrate Job only talks to PostgreSQL, as the schema owner
                    ? List.of(ProductionSecrets.DATABASE)
                    : List.of(ProductionSecrets.DATABASE, ProductionSecrets.KAFKA,
                            ProductionSecrets.Setting.plain("pulse.ingest.admin.token", "PULSE_INGEST_ADMIN_TOKEN")));
        }
    }
}
