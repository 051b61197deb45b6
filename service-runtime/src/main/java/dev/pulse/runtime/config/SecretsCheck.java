package dev.pulse.runtime.config;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.Config;

import java.util.List;

/**
 * In the prod profile, refuses to start with a placeholder or short secret, before anything else starts. Each
 * service lists its secrets in {@code pulse.secrets.checked} (its application.properties); see ProductionSecrets.
 */
@ApplicationScoped
public class SecretsCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, Config config) {
        if (ConfigUtils.isProfileActive("prod")) {
            ProductionSecrets.require(config, config.getOptionalValues("pulse.secrets.checked", String.class).orElse(List.of()));
        }
    }
}
