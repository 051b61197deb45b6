package dev.pulse.ingest.repository;

import dev.pulse.web.problem.StoreFailures;
import dev.pulse.ingest.domain.App;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

@ApplicationScoped
public class AppRepository {
    private final Pool pool;

    public AppRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<App>> findByWriteKeyHash(String hash) {
        return pool.preparedQuery("SELECT app_id, timezone FROM apps WHERE write_key_hash = $1")
                .execute(Tuple.of(hash))
                .<Optional<App>>map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toApp(rows.iterator().next())))
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
    }

    /** @return false when the app exists already */
    public Uni<Boolean> insert(App app, String writeKeyHash, String readTokenHash) {
        return pool.preparedQuery("""
                        INSERT INTO apps (app_id, timezone, write_key_hash, read_token_hash)
                        VALUES ($1, $2, $3, $4) ON CONFLICT (app_id) DO NOTHING RETURNING app_id""")
                .execute(Tuple.of(app.appId(), app.timezone(), writeKeyHash, readTokenHash))
                .map(rows -> rows.size() == 1)
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
    }

    /** @return the app with its new key hashes stored, or empty when there is no such app */
    public Uni<Optional<App>> rotate(String appId, String writeKeyHash, String readTokenHash) {
        return pool.preparedQuery("""
                        UPDATE apps SET write_key_hash = $2, read_token_hash = $3, keys_rotated_at = now()
                        WHERE app_id = $1 RETURNING app_id, timezone""")
                .execute(Tuple.of(appId, writeKeyHash, readTokenHash))
                .<Optional<App>>map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toApp(rows.iterator().next())))
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
    }

    /** @return false when there is no such app */
    public Uni<Boolean> setRetention(String appId, Integer days) {
        return pool.preparedQuery("UPDATE apps SET retention_days = $2 WHERE app_id = $1 RETURNING app_id")
                .execute(Tuple.of(appId, days))
                .map(rows -> rows.size() == 1);
    }

    /** @return false when there is no such app */
    public Uni<Boolean> setSessionTimeout(String appId, int seconds) {
        // a change is counted: aggregate-service rebuilds the app's kept sessions for it, query-api reads them once it has
        return pool.preparedQuery("""
                        UPDATE apps SET session_timeout_version = session_timeout_version + (session_timeout_seconds <> $2)::int,
                            session_timeout_seconds = $2
                        WHERE app_id = $1 RETURNING app_id""")
                .execute(Tuple.of(appId, seconds))
                .map(rows -> rows.size() == 1);
    }

    /** @return false when there is no such app */
    public Uni<Boolean> setCategories(String appId, Map<String, String> categories) {
        return pool.preparedQuery("UPDATE apps SET category_map = $2 WHERE app_id = $1 RETURNING app_id")
                .execute(Tuple.of(appId, new JsonObject(new HashMap<>(categories))))
                .map(rows -> rows.size() == 1);
    }

    /** The app's custom-event categories, or empty when there is no such app. */
    public Uni<Optional<Map<String, String>>> findCategories(String appId) {
        return pool.preparedQuery("SELECT category_map FROM apps WHERE app_id = $1").execute(Tuple.of(appId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Map<String, String> categories = new TreeMap<>();
                    rows.iterator().next().getJsonObject("category_map").forEach(e -> categories.put(e.getKey(), String.valueOf(e.getValue())));
                    return Optional.of(categories);
                });
    }

    private static App toApp(Row row) {
        return new App(row.getString("app_id"), row.getString("timezone"));
    }
}
