package dev.pulse.enrich.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pulse.contract.ContentMetadata;
import dev.pulse.enrich.config.EnrichConfig;
import dev.pulse.enrich.domain.ContentKey;
import dev.pulse.enrich.repository.ContentRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The content catalog as enrichment joins it: a bounded cache over dim_content, which this service keeps from
 * the compacted catalog.content topic. Unknown content is cached as absent too, until its record arrives.
 */
@ApplicationScoped
public class ContentCatalog {
    private final ContentRepository repository;
    private final Cache<ContentKey, Optional<ContentMetadata>> cache;

    public ContentCatalog(ContentRepository repository, EnrichConfig config) {
        this.repository = repository;
        this.cache = Caffeine.newBuilder().maximumSize(config.caches().contentSize())
                .expireAfterWrite(config.caches().contentTtl()).build();
    }

    public Uni<Map<ContentKey, ContentMetadata>> find(Set<ContentKey> keys) {
        Map<ContentKey, ContentMetadata> found = new HashMap<>();
        Set<ContentKey> missing = keys.stream().filter(key -> {
            Optional<ContentMetadata> cached = cache.getIfPresent(key);
            if (cached == null) {
                return true;
            }
            cached.ifPresent(content -> found.put(key, content));
            return false;
        }).collect(Collectors.toSet());
        if (missing.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        return repository.find(missing).map(loaded -> {
            missing.forEach(key -> cache.put(key, Optional.ofNullable(loaded.get(key))));
            found.putAll(loaded);
            return found;
        });
    }

    /** Stores a catalog record and makes later events see it. */
    public Uni<Void> apply(ContentMetadata content, int partition, long offset) {
        ContentKey key = new ContentKey(content.appId(), content.contentId());
        return repository.upsert(content, partition, offset).invoke(() -> cache.invalidate(key));
    }
}
