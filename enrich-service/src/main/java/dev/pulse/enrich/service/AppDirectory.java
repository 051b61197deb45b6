package dev.pulse.enrich.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.domain.AppSettings;
import dev.pulse.enrich.repository.AppRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** App settings by id: cached briefly, missing ones loaded in one query per batch. */
@ApplicationScoped
public class AppDirectory {
    private final AppRepository repository;
    private final Cache<String, AppSettings> cache;

    public AppDirectory(AppRepository repository, EnrichConfig config) {
        this.repository = repository;
        this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(config.caches().appTtl()).build();
    }

    /** Unknown apps are absent from the answer. */
    public Uni<Map<String, AppSettings>> find(Set<String> appIds) {
        Map<String, AppSettings> found = new HashMap<>(cache.getAllPresent(appIds));
        Set<String> missing = appIds.stream().filter(id -> !found.containsKey(id)).collect(Collectors.toSet());
        if (missing.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        return repository.find(missing).map(loaded -> {
            cache.putAll(loaded);
            found.putAll(loaded);
            return found;
        });
    }
}
