package dev.pulse.aggregate.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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

    /* A day that already has rows in the default partition (backfill) stays there: attaching would fail. */
    private Uni<Void> create(SqlConnection connection, LocalDate date, List<String> created) {
        String name = NAME.format(date);
        return connection.preparedQuery("""
                        SELECT to_regclass($1) IS NOT NULL AS present,
                               EXISTS (SELECT 1 FROM events_default WHERE event_date = $2) AS in_default""")
                .execute(Tuple.of(name, date)).flatMap(rows -> {
                    Row row = rows.iterator().next();
                    if (row.getBoolean("present") || row.getBoolean("in_default")) {
                        return Uni.createFrom().voidItem();
                    }
                    created.add(name);
                    return connection.query("CREATE TABLE " + name + " PARTITION OF events FOR VALUES FROM ('" + date
                            + "') TO ('" + date.plusDays(1) + "')").execute().replaceWithVoid();
                });
    }

    private Uni<Void> dropOlder(SqlConnection connection, LocalDate before, List<String> dropped) {
        if (before == null) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery("""
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'events'::regclass AND c.relname ~ '^events_p[0-9]{8}$' AND c.relname < $1""")
                .execute(Tuple.of(NAME.format(before))).flatMap(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Row row : rows) {
                        String name = row.getString("relname");
                        dropped.add("-" + name);
                        chain = chain.flatMap(x -> connection.query("DROP TABLE " + name).execute().replaceWithVoid());
                    }
                    return chain;
                });
    }
}
