package dev.pulse.enrich.repository;

import dev.pulse.enrich.domain.AcceptedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

@ApplicationScoped
public class DedupRepository {
    /*
     * One round trip per batch. The outer SELECT reads the snapshot from before the INSERT, so it returns
     * only ids seen by an earlier batch; of those, one from another source position is a resend, while one
     * from the same position is this record redelivered after its output was never committed. Only the rows the
     * INSERT did not insert are looked up (an inserted one had no earlier row): in the standard run every event was
     * looked up, a second index descent per event (bench/RESULTS.md, issue 15).
     */
    private static final String REMEMBER = """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::bigint[])
                    AS t(app_id, event_id, source_partition, source_offset)
            ), inserted AS (
                INSERT INTO enrich_dedup (app_id, event_id, source_partition, source_offset)
                SELECT app_id, event_id, source_partition, source_offset FROM input
                ON CONFLICT (app_id, event_id) DO NOTHING
                RETURNING app_id, event_id, source_partition, source_offset
            ), conflicting AS MATERIALIZED (
                SELECT * FROM input EXCEPT ALL SELECT * FROM inserted
            )
            SELECT d.app_id, d.event_id FROM conflicting i JOIN enrich_dedup d USING (app_id, event_id)
            WHERE (d.source_partition, d.source_offset) <> (i.source_partition, i.source_offset)""";

    private final Pool pool;

    public DedupRepository(Pool pool) {
        this.pool = pool;
    }

    /** Records the events as seen and returns the indexes of those that are resends of earlier ones. */
    public Uni<Set<Integer>> remember(List<AcceptedEvent> events) {
        int n = events.size();
        String[] apps = new String[n];
        UUID[] ids = new UUID[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        for (int i = 0; i < n; i++) {
            AcceptedEvent e = events.get(i);
            apps[i] = e.appId();
            ids[i] = e.event().eventId();
            partitions[i] = e.source().partition();
            offsets[i] = e.source().offset();
        }
        return pool.preparedQuery(REMEMBER).execute(Tuple.of(apps, ids, partitions, offsets)).map(rows -> {
            Set<String> seen = new HashSet<>();
            for (Row row : rows) {
                seen.add(row.getString("app_id") + "/" + row.getUUID("event_id"));
            }
            Set<Integer> duplicates = new HashSet<>();
            for (int i = 0; i < n; i++) {
                if (seen.contains(apps[i] + "/" + ids[i])) {
                    duplicates.add(i);
                }
            }
            return duplicates;
        });
    }

    /** Forgets the event as seen from this position, so that a later resend of it is not taken for a duplicate. */
    public Uni<Void> forget(AcceptedEvent event) {
        return pool.preparedQuery("""
                        DELETE FROM enrich_dedup WHERE app_id = $1 AND event_id = $2 AND source_partition = $3 AND source_offset = $4""")
                .execute(Tuple.of(event.appId(), event.event().eventId(), event.source().partition(), event.source().offset()))
                .replaceWithVoid();
    }

    /**
     * Deletes ids seen longer ago than {@code retention}, {@code batch} rows per statement, so that a replica running
     * it at the same time waits at most for one batch's row locks (and deletes, and counts, what is left). Not FOR
     * UPDATE SKIP LOCKED: enrich's login may delete these rows, not update them.
     *
     * @return the rows this call deleted
     */
    public Uni<Long> forgetOlderThan(Duration retention, int batch) {
        return Multi.createBy().repeating().uni(() -> pool.preparedQuery("""
                                DELETE FROM enrich_dedup WHERE (app_id, event_id) IN (
                                    SELECT app_id, event_id FROM enrich_dedup WHERE seen_at < now() - make_interval(secs => $1)
                                    LIMIT $2)""")
                        .execute(Tuple.of((double) retention.toSeconds(), batch)).map(rows -> (long) rows.rowCount()))
                .whilst(deleted -> deleted == batch)
                .collect().with(Collectors.summingLong(Long::longValue));
    }
}
