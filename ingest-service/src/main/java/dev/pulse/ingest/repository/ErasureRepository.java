package dev.pulse.ingest.repository;

import dev.pulse.contract.ErasureCommand;
import dev.pulse.ingest.domain.ErasureStatus;
import dev.pulse.ingest.domain.ErasureStatus.ServicePart;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * ingest writes {@code erasure_requests} (the audit record) and only reads {@code enrich_erasures} and
 * {@code aggregate_erasures}, which enrich-service and aggregate-service write when they have done their part.
 */
@ApplicationScoped
public class ErasureRepository {
    /** The services that hold user data; each reports completion in its table {@code <name>_erasures}. */
    private static final List<String> SERVICES = List.of("enrich", "aggregate");

    private static final String STATUS = """
            SELECT r.erasure_id, r.app_id, r.requested_at, r.requested_by,
                   e.completed_at AS enrich_completed_at, e.deleted_rows AS enrich_rows,
                   a.completed_at AS aggregate_completed_at, a.deleted_rows AS aggregate_rows
            FROM erasure_requests r
            LEFT JOIN enrich_erasures e ON e.app_id = r.app_id AND e.erasure_id = r.erasure_id
            LEFT JOIN aggregate_erasures a ON a.app_id = r.app_id AND a.erasure_id = r.erasure_id
            WHERE r.erasure_id = $1 AND r.app_id = $2""";

    private final Pool pool;

    public ErasureRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return false when there is no such app */
    public Uni<Boolean> insert(SqlConnection connection, ErasureCommand command, String requestedBy) {
        return connection.preparedQuery("""
                        INSERT INTO erasure_requests (erasure_id, app_id, requested_by, requested_at)
                        SELECT $1, app_id, $3, $4 FROM apps WHERE app_id = $2 RETURNING erasure_id""")
                .execute(Tuple.of(command.erasureId(), command.appId(), requestedBy,
                        command.requestedAt().atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.size() == 1);
    }

    public Uni<Optional<ErasureStatus>> find(String appId, UUID erasureId) {
        return pool.preparedQuery(STATUS).execute(Tuple.of(erasureId, appId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toStatus(rows.iterator().next())));
    }

    private static ErasureStatus toStatus(Row row) {
        Map<String, ServicePart> parts = new LinkedHashMap<>();
        for (String prefix : SERVICES) {
            OffsetDateTime completed = row.getOffsetDateTime(prefix + "_completed_at");
            if (completed != null) {
                parts.put(prefix + "-service", new ServicePart(completed.toInstant(), counts(row.getJsonObject(prefix + "_rows"))));
            }
        }
        return new ErasureStatus(row.getUUID("erasure_id"), row.getString("app_id"),
                parts.size() == SERVICES.size() ? ErasureStatus.COMPLETED : ErasureStatus.PENDING,
                row.getOffsetDateTime("requested_at").toInstant(), row.getString("requested_by"), parts);
    }

    private static Map<String, Long> counts(JsonObject json) {
        Map<String, Long> counts = new LinkedHashMap<>();
        json.forEach(entry -> counts.put(entry.getKey(), ((Number) entry.getValue()).longValue()));
        return counts;
    }
}
