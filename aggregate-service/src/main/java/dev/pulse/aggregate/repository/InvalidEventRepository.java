package dev.pulse.aggregate.repository;

import dev.pulse.contract.InvalidEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneOffset;
import java.util.List;

@ApplicationScoped
public class InvalidEventRepository {
    /** An invalid record with its position in events.invalid, which makes storing it idempotent. */
    public record Stored(int partition, long offset, InvalidEvent event) {
    }

    private final Pool pool;

    public InvalidEventRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> store(List<Stored> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                        INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, error, payload, rejected_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""")
                .executeBatch(records.stream().map(r -> Tuple.from(new Object[] {r.partition(), r.offset(), r.event().appId(),
                        r.event().reason(), r.event().error(), r.event().payload(),
                        r.event().rejectedAt().atOffset(ZoneOffset.UTC)})).toList())
                .replaceWithVoid();
    }
}
