package dev.pulse.query.service;

import dev.pulse.schema.KeyHash;
import dev.pulse.query.domain.App;
import dev.pulse.query.repository.AppRepository;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Which app a read token belongs to; cached briefly so that a rotation takes effect within seconds. */
@ApplicationScoped
public class ReadTokenService {
    private final AppRepository repository;

    public ReadTokenService(AppRepository repository) {
        this.repository = repository;
    }

    @CacheResult(cacheName = "read-tokens")
    public Uni<Optional<App>> find(String readToken) {
        return repository.findByReadTokenHash(KeyHash.of(readToken));
    }
}
