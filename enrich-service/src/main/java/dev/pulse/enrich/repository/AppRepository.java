package dev.pulse.enrich.repository;

import dev.pulse.enrich.domain.AppSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

@ApplicationScoped
public class AppRepository {
    private final Pool pool;

    public AppRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Map<String, AppSettings>> find(Collection<String> appIds) {
        return pool.preparedQuery("SELECT app_id, timezone, category_map FROM apps WHERE app_id = ANY($1)")
                .execute(Tuple.of(appIds.toArray(String[]::new))).map(rows -> {
                    Map<String, AppSettings> apps = new HashMap<>();
                    for (Row row : rows) {
                        Map<String, String> categories = new HashMap<>();
                        JsonObject map = row.getJsonObject("category_map");
                        map.forEach(entry -> categories.put(entry.getKey(), String.valueOf(entry.getValue())));
                        apps.put(row.getString("app_id"), new AppSettings(row.getString("app_id"),
                                ZoneId.of(row.getString("timezone")), Map.copyOf(categories)));
                    }
                    return apps;
                });
    }
}
