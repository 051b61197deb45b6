package dev.pulse.query.config;

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
            ProductionSecrets.require(config, List.of(ProductionSecrets.REDIS,
                    // query-api's own read-only login
                    ProductionSecrets.Setting.plain("quarkus.datasource.password", "PG_QUERY_PASSWORD")));
        }
    }
}
