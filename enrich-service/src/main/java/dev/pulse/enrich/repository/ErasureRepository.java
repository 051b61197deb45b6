package dev.pulse.enrich.repository;

import dev.pulse.contract.ErasureCommand;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * enrich's part of a user's erasure: the trait history ({@code dim_users}). The dedup memory stays: it holds event
 * ids and source positions, no user id, and forgets them after its retention anyway.
 */
@ApplicationScoped
public class ErasureRepository {
    private final Pool pool;

    public ErasureRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return the rows deleted, or empty when this erasure was done before (a redelivered command) */
    public Uni<Optional<Long>> erase(ErasureCommand command) {
        return pool.withTransaction(connection -> connection.preparedQuery("""
                        INSERT INTO enrich_erasures (erasure_id, app_id, deleted_rows) VALUES ($1, $2, '{}')
                        ON CONFLICT DO NOTHING RETURNING erasure_id""")
                .execute(Tuple.of(command.erasureId(), command.appId()))
                .flatMap(claimed -> claimed.size() == 0 ? Uni.createFrom().item(Optional.<Long>empty()) : connection.preparedQuery(
                                "DELETE FROM dim_users WHERE app_id = $1 AND user_id = $2")
                        .execute(Tuple.of(command.appId(), command.userId()))
                        .flatMap(deleted -> connection.preparedQuery("UPDATE enrich_erasures SET deleted_rows = $2 WHERE app_id = $3 AND erasure_id = $1")
                                .execute(Tuple.of(command.erasureId(), new JsonObject().put("dim_users", deleted.rowCount()), command.appId()))
                                .replaceWith(Optional.of((long) deleted.rowCount())))));
    }
}
