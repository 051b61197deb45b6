package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Daily partitions of the raw store: created ahead, dropped after retention. */
@ApplicationScoped
public class PartitionRepository {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'events_p'yyyyMMdd");
    /** Only one replica maintains partitions at a time. */
    private static final long LOCK = 0x70756c7365L;

    private final Pool pool;

    public PartitionRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return the partitions created and dropped, or nothing when another replica holds the lock */
    public Uni<List<String>> maintain(LocalDate from, LocalDate to, LocalDate dropBefore) {
        return pool.withTransaction(connection -> connection.preparedQuery("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .execute(Tuple.of(LOCK)).flatMap(rows -> {
                    if (!rows.iterator().next().getBoolean("locked")) {
                        return Uni.createFrom().item(List.<String>of());
                    }
                    List<String> changed = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
                        LocalDate date = day;
                        chain = chain.flatMap(x -> create(connection, date, changed));
                    }
                    return chain.flatMap(x -> dropOlder(connection, dropBefore, changed)).replaceWith(changed);
                }));
    }

    /* The DDL runs in functions owned by the schema owner (V16): aggregate's own login may not run DDL. */
    private Uni<Void> create(SqlConnection connection, LocalDate date, List<String> created) {
        return connection.preparedQuery("SELECT create_events_partition($1) AS created").execute(Tuple.of(date)).invoke(rows -> {
            if (rows.iterator().next().getBoolean("created")) {
                created.add(NAME.format(date));
            }
        }).replaceWithVoid();
    }

    private Uni<Void> dropOlder(SqlConnection connection, LocalDate before, List<String> dropped) {
        if (before == null) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("SELECT drop_events_partitions_before($1) AS name").execute(Tuple.of(before))
                .invoke(rows -> rows.forEach(row -> dropped.add("-" + row.getString("name")))).replaceWithVoid();
    }
}
