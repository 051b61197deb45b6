package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Advisory locks. Per app, transaction-scoped: batches take them shared (they never wait for each other), a
 * recompute takes its app's exclusively, so it never interleaves with a batch of the same app. The real-time
 * cut: batches hold it shared, a real-time rebuild takes it exclusively for the moment it fixes its snapshot,
 * so every batch committed either before the snapshot (in the rebuild) or after the rebuild's epoch (see
 * RedisKeys.EPOCH). The real-time rebuild lock: one rebuild at a time across replicas. Keys are 64-bit hashes
 * (hashtextextended) of names that say their kind: with 32-bit hashtext, two apps' keys of different kinds collided
 * often enough at 10k apps that one app's busy batches kept another's daily close from ever taking its lock.
 */
@ApplicationScoped
public class AppLocks {
    private static final String REALTIME_CUT = "pulse-realtime-cut";
    private static final String REALTIME_REBUILD = "pulse-realtime-rebuild";

    public Uni<Void> shared(SqlConnection connection, Collection<String> appIds) {
        return connection.preparedQuery("""
                        SELECT pg_advisory_xact_lock_shared(hashtextextended(k, 0))
                        FROM (SELECT $2 AS k UNION ALL SELECT 'pulse-app:' || a FROM unnest($1::text[]) AS a) AS locks ORDER BY k""")
                .execute(Tuple.of(appIds.toArray(String[]::new), REALTIME_CUT)).replaceWithVoid();
    }

    public Uni<Void> exclusive(SqlConnection connection, String appId) {
        return connection.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('pulse-app:' || $1, 0))")
                .execute(Tuple.of(appId)).replaceWithVoid();
    }

    /** Whether this transaction is the one real-time rebuild running now. */
    public Uni<Boolean> tryRealtimeRebuild(SqlConnection connection) {
        return connection.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))").execute(Tuple.of(REALTIME_REBUILD))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Runs {@code work} once no batch is between its locks and its commit, and none starts until it is done. */
    public <T> Uni<T> duringRealtimeCut(SqlConnection connection, Supplier<Uni<T>> work) {
        return holding(connection, REALTIME_CUT, work);
    }

    /**
     * Runs {@code work} once no batch of the app is between its locks and its commit, and none of it starts until it is
     * done; fails (55P03) when that takes more than {@code wait}: batches queue behind the waiting lock, and one job
     * holding the app shared for long (a day state's build) must not hold them up with it.
     */
    public <T> Uni<T> whileAppPaused(SqlConnection connection, String appId, java.time.Duration wait, Supplier<Uni<T>> work) {
        return connection.preparedQuery("SELECT set_config('lock_timeout', $1, false)").execute(Tuple.of(wait.toMillis() + "ms"))
                .flatMap(x -> holding(connection, "pulse-app:" + appId, work))
                .onTermination().call(() -> connection.query("RESET lock_timeout").execute());
    }

    /** {@code work} under the key's lock, taken exclusively for the session (the connection must not be in a transaction). */
    private static <T> Uni<T> holding(SqlConnection connection, String key, Supplier<Uni<T>> work) {
        return connection.preparedQuery("SELECT pg_advisory_lock(hashtextextended($1, 0))").execute(Tuple.of(key))
                .flatMap(x -> work.get())
                .onTermination().call(() -> connection.preparedQuery("SELECT pg_advisory_unlock(hashtextextended($1, 0))").execute(Tuple.of(key)));
    }
}
