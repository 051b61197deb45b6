package dev.pulse.aggregate.repository;

import dev.pulse.contract.InvalidEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/**
 * invalid_events, and enrich's resends counted into quality_daily. Both writes of a batch are one transaction,
 * and both are idempotent: an invalid record is kept once per position in events.invalid and once per position
 * where it was read (a loop that quarantined it twice), a resend is counted once per position in events.raw
 * (duplicate_events), so replaying events.invalid counts nothing twice.
 */
@ApplicationScoped
public class InvalidEventRepository {
    /** An invalid record with its position in events.invalid. */
    public record Stored(int partition, long offset, InvalidEvent event) {
        boolean countedResend() {
            return InvalidEvent.DUPLICATE.equals(event.reason()) && event.eventDate() != null && event.hasKafkaSource();
        }
    }

    private static final String INSERT_INVALID = """
            INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, error, payload, rejected_at,
                                        origin_topic, origin_partition, origin_offset)
            VALUES ($1, $2, coalesce($3, ''), $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING""";

    private static final String COUNT_RESENDS = """
            WITH counted AS (
                INSERT INTO duplicate_events (source_partition, source_offset, app_id, event_date)
                SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::date[])
                ON CONFLICT DO NOTHING
                RETURNING app_id, event_date
            )
            INSERT INTO quality_daily AS q (app_id, event_date, duplicates)
            SELECT app_id, event_date, count(*) FROM counted GROUP BY app_id, event_date
            ON CONFLICT (app_id, event_date) DO UPDATE SET duplicates = q.duplicates + EXCLUDED.duplicates""";

    private final Pool pool;

    public InvalidEventRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> store(List<Stored> records) {
        List<Stored> resends = records.stream().filter(Stored::countedResend).toList();
        List<Stored> invalid = records.stream().filter(r -> !r.countedResend()).toList();
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(connection -> insertInvalid(connection, invalid).flatMap(x -> countResends(connection, resends)));
    }

    public Uni<Integer> forgetResendsCountedBefore(Instant before) {
        return pool.preparedQuery("DELETE FROM duplicate_events WHERE counted_at < $1")
                .execute(Tuple.of(before.atOffset(ZoneOffset.UTC))).map(rows -> rows.rowCount());
    }

    private static Uni<Void> insertInvalid(SqlConnection connection, List<Stored> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(INSERT_INVALID).executeBatch(records.stream().map(r -> {
            InvalidEvent e = r.event();
            boolean kafka = e.hasKafkaSource();
            return Tuple.from(new Object[] {r.partition(), r.offset(), e.appId(), e.reason(), e.error(), e.payload(),
                    e.rejectedAt().atOffset(ZoneOffset.UTC), kafka ? e.sourceTopic() : null, kafka ? e.sourcePartition() : null,
                    kafka ? e.sourceOffset() : null});
        }).toList()).replaceWithVoid();
    }

    private static Uni<Void> countResends(SqlConnection connection, List<Stored> resends) {
        if (resends.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(COUNT_RESENDS).execute(Tuple.of(
                        resends.stream().map(r -> r.event().sourcePartition()).toArray(Integer[]::new),
                        resends.stream().map(r -> r.event().sourceOffset()).toArray(Long[]::new),
                        resends.stream().map(r -> r.event().appId()).toArray(String[]::new),
                        resends.stream().map(r -> r.event().eventDate()).toArray(java.time.LocalDate[]::new)))
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
                                DELETE FROM invalid_events WHERE (app_id, source_partition, source_offset) IN (
                                    SELECT app_id, source_partition, source_offset FROM invalid_events WHERE rejected_at < $1 LIMIT $2)""")
                        .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch)).map(rows -> (long) rows.rowCount()))
                .whilst(deleted -> deleted == batch)
                .collect().with(Collectors.summingLong(Long::longValue));
    }
}
