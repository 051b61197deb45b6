package dev.pulse.ingest.service;

import dev.pulse.contract.problem.ProblemException;
import dev.pulse.contract.KeyHash;
import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.domain.AppKeys;
import dev.pulse.ingest.domain.NewApp;
import dev.pulse.ingest.domain.Retention;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.ingest.repository.AppRepository;
import io.quarkus.cache.CacheInvalidateAll;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/** SPEC §1: apps, their keys, and who a write key belongs to. */
@ApplicationScoped
public class AppService {
    public static final String WRITE_KEYS_CACHE = "write-keys";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9-]{1,40}");
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_RETENTION_DAYS = 3650;

    private final AppRepository repository;

    public AppService(AppRepository repository) {
        this.repository = repository;
    }

    /**
     * Cached briefly (see {@code quarkus.cache.caffeine.write-keys.expire-after-write}) so a hot key costs no
     * database round trip, while a rotation on any replica takes effect everywhere within that time.
     */
    @CacheResult(cacheName = WRITE_KEYS_CACHE)
    public Uni<Optional<App>> findByWriteKey(String writeKey) {
        return repository.findByWriteKeyHash(KeyHash.of(writeKey));
    }

    public Uni<AppKeys> create(NewApp request) {
        if (request == null || request.app() == null || !SLUG.matcher(request.app()).matches()) {
            throw ProblemException.badRequest("app must match [a-z0-9-]{1,40}", "app");
        }
        App app = new App(request.app(), zone(request.timezone()));
        String writeKey = newKey("pw_");
        String readToken = newKey("pr_");
        return repository.insert(app, KeyHash.of(writeKey), KeyHash.of(readToken)).map(created -> {
            if (!created) {
                throw new ProblemException(409, "Conflict", "app " + app.appId() + " exists already", "app", null, null);
            }
            return new AppKeys(app.appId(), app.timezone(), writeKey, readToken);
        });
    }

    @CacheInvalidateAll(cacheName = WRITE_KEYS_CACHE)
    public Uni<AppKeys> rotate(String appId) {
        String writeKey = newKey("pw_");
        String readToken = newKey("pr_");
        return repository.rotate(appId, KeyHash.of(writeKey), KeyHash.of(readToken)).map(app -> app
                .map(a -> new AppKeys(a.appId(), a.timezone(), writeKey, readToken))
                .orElseThrow(() -> ProblemException.notFound("no app " + appId, "app")));
    }

    /** {@code days} is an integer from 1 to {@value #MAX_RETENTION_DAYS}, or null for the deployment's default. */
    public Uni<Retention> setRetention(String appId, JsonNode body) {
        JsonNode days = body == null ? null : body.get("days");
        // canConvertToLong: asLong keeps a huge integer's low 64 bits (2^64 + 1 would read as 1 day)
        if (days == null || !(days.isNull() || days.canConvertToExactIntegral() && days.canConvertToLong() && days.asLong() >= 1 && days.asLong() <= MAX_RETENTION_DAYS)) {
            throw ProblemException.badRequest("days must be an integer from 1 to " + MAX_RETENTION_DAYS + ", or null for the default", "days");
        }
        Integer value = days.isNull() ? null : days.asInt();
        return repository.setRetention(appId, value).map(found -> {
            if (!found) {
                throw ProblemException.notFound("no app " + appId, "app");
            }
            return new Retention(appId, value);
        });
    }

    private static String zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return "UTC";
        }
        try {
            return ZoneId.of(timezone).getId();
        } catch (DateTimeException e) {
            throw ProblemException.badRequest("timezone must be an IANA zone id such as Europe/Berlin", "timezone");
        }
    }

    private static String newKey(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
