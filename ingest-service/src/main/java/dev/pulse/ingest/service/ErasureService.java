package dev.pulse.ingest.service;

import dev.pulse.contract.ErasureCommand;
import dev.pulse.contract.Limits;
import dev.pulse.contract.StorableText;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.ingest.config.IngestConfig;
import dev.pulse.ingest.domain.ErasureStatus;
import dev.pulse.ingest.messaging.ErasureProducer;
import dev.pulse.ingest.repository.ErasureRepository;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Per-user erasure (GDPR/CCPA): ingest records the request and publishes the command; enrich-service and
 * aggregate-service delete what they hold of the user and each reports completion in its own table.
 */
@ApplicationScoped
public class ErasureService {
    /** As long as the event contract allows a user id to be. */

    private final Pool pool;
    private final ErasureRepository repository;
    private final ErasureProducer producer;
    private final IngestConfig config;

    public ErasureService(Pool pool, ErasureRepository repository, ErasureProducer producer, IngestConfig config) {
        this.pool = pool;
        this.repository = repository;
        this.producer = producer;
        this.config = config;
    }

    /**
     * The request row commits only once Kafka holds the command, so a recorded erasure is always carried out;
     * if Kafka is unreachable the caller gets 503 and nothing is recorded. {@code requestedBy} names the admin token (its
     * identity's principal), never the token itself.
     */
    public Uni<ErasureStatus> request(String appId, String userId, String requestedBy) {
        if (userId == null || userId.isEmpty() || userId.length() > Limits.MAX_ID_LENGTH) {
            throw ProblemException.badRequest("user_id must be 1-" + Limits.MAX_ID_LENGTH + " characters", "user_id");
        }
        // no stored user has such an id, and enrich and aggregate could not even look it up (PostgreSQL text)
        String unstorable = StorableText.problem(userId);
        if (unstorable != null) {
            throw ProblemException.badRequest("user_id " + unstorable, "user_id");
        }
        ErasureCommand command = new ErasureCommand(UUID.randomUUID(), appId, userId, Instant.now());
        return pool.withTransaction(connection -> repository.insert(connection, command, requestedBy)
                .flatMap(recorded -> {
                    if (!recorded) {
                        throw ProblemException.notFound("no app " + appId, "app");
                    }
                    return producer.publish(command).onFailure().transform(e -> {
                        Log.warnf("erasure %s not published: %s", command.erasureId(), e.toString());
                        return ProblemException.unavailable("Kafka cannot take the erasure command; nothing was recorded, send it again",
                                config.unavailableRetryAfterSeconds());
                    });
                }))
                .invoke(() -> Log.infof("erasure %s of a user of %s requested by %s", command.erasureId(), appId, requestedBy))
                .replaceWith(new ErasureStatus(command.erasureId(), appId, ErasureStatus.PENDING, command.requestedAt(), requestedBy, Map.of()));
    }

    public Uni<ErasureStatus> status(String appId, String erasureId) {
        UUID id;
        try {
            id = UUID.fromString(erasureId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("id must be an erasure id (a UUID)", "id");
        }
        return repository.find(appId, id).map(status -> status.orElseThrow(
                () -> ProblemException.notFound("no erasure " + erasureId + " of app " + appId, "id")));
    }

    /** Who asked, without keeping the secret: a fingerprint of the admin token (changes when the token is rotated). */}
