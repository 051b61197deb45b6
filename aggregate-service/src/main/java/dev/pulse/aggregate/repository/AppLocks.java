package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;

/**
 * Transaction-scoped advisory locks per app: batches take them shared (they never wait for each other), a
 * recompute takes its app's exclusively, so it never interleaves with a batch of the same app.
 */
@ApplicationScoped
public class AppLocks {

    public Uni<Void> shared(SqlConnection connection, Collection<String> appIds) {
        return connection.preparedQuery("SELECT pg_advisory_xact_lock_shared(hashtext('pulse-app:' || a)) FROM unnest($1::text[]) AS a ORDER BY a")
                .execute(Tuple.of(appIds.toArray(String[]::new))).replaceWithVoid();
    }

    public Uni<Void> exclusive(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT pg_advisory_xact_lock(hashtext('pulse-app:' || $1))")
                .execute(Tuple.of(appId)).replaceWithVoid();
    }
}
