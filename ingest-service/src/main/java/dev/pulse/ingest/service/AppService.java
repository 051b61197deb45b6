package dev.pulse.ingest.service;

import dev.pulse.web.problem.ProblemException;
import dev.pulse.contract.EventCatalog;
import dev.pulse.contract.EventCategory;
import dev.pulse.contract.EventValidator;
import dev.pulse.schema.KeyHash;
import dev.pulse.ingest.domain.App;
import dev.pulse.ingest.domain.AppKeys;
import dev.pulse.ingest.domain.Categories;
import dev.pulse.ingest.domain.NewApp;
import dev.pulse.ingest.domain.Retention;
import dev.pulse.ingest.domain.Sessions;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.ingest.repository.AppRepository;
import io.quarkus.cache.CacheInvalidateAll;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.regex.Pattern;

/** SPEC §1: apps, their keys, and who a write key belongs to. */
@ApplicationScoped
public class AppService {
    public static final String WRITE_KEYS_CACHE = "write-keys";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9-]{1,40}");
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_RETENTION_DAYS = 3650;
    static final int MAX_CATEGORIES = 1000;
    static final int MIN_SESSION_TIMEOUT = 60;
    static final int MAX_SESSION_TIMEOUT = 86_400;
    private static final Set<String> CATEGORIES = Arrays.stream(EventCategory.values()).map(EventCategory::value)
            .collect(Collectors.toCollection(TreeSet::new));

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

    /** {@code timeout_seconds} is an integer from {@value #MIN_SESSION_TIMEOUT} to {@value #MAX_SESSION_TIMEOUT}. */
    public Uni<Sessions> setSessions(String appId, JsonNode body) {
        JsonNode timeout = body == null ? null : body.get("timeout_seconds");
        if (timeout == null || !(timeout.canConvertToExactIntegral() && timeout.canConvertToLong()
                && timeout.asLong() >= MIN_SESSION_TIMEOUT && timeout.asLong() <= MAX_SESSION_TIMEOUT)) {
            throw ProblemException.badRequest("timeout_seconds must be an integer from " + MIN_SESSION_TIMEOUT + " to "
                    + MAX_SESSION_TIMEOUT, "timeout_seconds");
        }
        int value = timeout.asInt();
        return repository.setSessionTimeout(appId, value).map(found -> {
            if (!found) {
                throw ProblemException.notFound("no app " + appId, "app");
            }
            return new Sessions(appId, value);
        });
    }

    /**
     * Replaces the app's map of custom event names to categories: names of custom events (a built-in event keeps its
     * SPEC §2 category), categories of SPEC §2, at most {@value #MAX_CATEGORIES} entries.
     */
    public Uni<Categories> setCategories(String appId, JsonNode body) {
        JsonNode map = body == null ? null : body.get("categories");
        if (map == null || !map.isObject()) {
            throw ProblemException.badRequest("categories must be an object of custom event names to categories", "categories");
        }
        if (map.size() > MAX_CATEGORIES) {
            throw ProblemException.badRequest("at most " + MAX_CATEGORIES + " custom events may be mapped", "categories");
        }
        Map<String, String> categories = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            String event = entry.getKey();
            if (!EventValidator.isEventName(event)) {
                throw ProblemException.badRequest("an event name must match [a-z][a-z0-9_.:-]{0,63}", "categories");
            }
            if (EventCatalog.isBuiltIn(event)) {
                throw ProblemException.badRequest(event + " is a built-in event: its category is SPEC's", "categories." + event);
            }
            String category = entry.getValue().isTextual() ? entry.getValue().textValue() : null;
            if (category == null || !CATEGORIES.contains(category)) {
                throw ProblemException.badRequest("must be one of " + CATEGORIES, "categories." + event);
            }
            categories.put(event, category);
        }
        return repository.setCategories(appId, categories).map(found -> {
            if (!found) {
                throw ProblemException.notFound("no app " + appId, "app");
            }
            return new Categories(appId, categories);
        });
    }

    public Uni<Categories> categories(String appId) {
        return repository.findCategories(appId).map(found -> new Categories(appId,
                found.orElseThrow(() -> ProblemException.notFound("no app " + appId, "app"))));
    }

    private static String zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return "UTC";
        }
        // ZoneId.of also takes offsets ("+05:30", "UTC+05:30"), which are no zone of the tz database: PostgreSQL, which
        // also works out app-local days, would read them as POSIX strings with the sign turned
        if (!ZoneId.getAvailableZoneIds().contains(timezone)) {
            throw ProblemException.badRequest("timezone must be an IANA zone id such as Europe/Berlin (an offset such as +05:30 is"
                    + " not one; Asia/Kolkata or Etc/GMT-5 are)", "timezone");
        }
        return ZoneId.of(timezone).getId();
    }

    private static String newKey(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
