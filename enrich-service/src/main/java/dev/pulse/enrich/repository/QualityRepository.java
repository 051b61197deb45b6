package dev.pulse.enrich.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** Duplicate counts for /v1/quality; only enrich sees resends. */
@ApplicationScoped
public class QualityRepository {
    private final Pool pool;

    public QualityRepository(Pool pool) {
        this.pool = pool;
    }

    public record Day(String appId, LocalDate date) {
    }

    public Uni<Void> addDuplicates(Map<Day, Long> duplicates) {
        if (duplicates.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = duplicates.entrySet().stream()
                .map(e -> Tuple.of(e.getKey().appId(), e.getKey().date(), e.getValue())).toList();
        return pool.preparedQuery("""
                        INSERT INTO quality_daily (app_id, event_date, duplicates) VALUES ($1, $2, $3)
                        ON CONFLICT (app_id, event_date) DO UPDATE SET duplicates = quality_daily.duplicates + EXCLUDED.duplicates""")
                .executeBatch(rows).replaceWithVoid();
    }
}
