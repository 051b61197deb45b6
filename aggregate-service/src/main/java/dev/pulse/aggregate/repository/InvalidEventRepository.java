package dev.pulse.aggregate.repository;

import dev.pulse.contract.InvalidEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

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

    /**
     * Deletes rows rejected before {@code cutoff}, {@code batch} at a time (found through invalid_events_rejected_at),
     * so that no statement holds locks or builds up dead rows for long, however many have piled up.
     *
     * @return the rows deleted
     */
    public Uni<Long> deleteRejectedBefore(Instant cutoff, int batch) {
        return Multi.createBy().repeating().uni(() -> pool.preparedQuery("""
                                DELETE FROM invalid_events WHERE (source_partition, source_offset) IN (
                                    SELECT source_partition, source_offset FROM invalid_events WHERE rejected_at < $1 LIMIT $2)""")
                        .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> (long) rows.rowCount()))
                .whilst(deleted -> deleted == batch)
                .collect().with(Collectors.summingLong(Long::longValue));
    }
}
