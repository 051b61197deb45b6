package dev.pulse.enrich.repository;

import dev.pulse.contract.UserTraits;
import dev.pulse.enrich.domain.TraitChange;
import dev.pulse.enrich.domain.UserKey;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** dim_users, SCD type 2. */
@ApplicationScoped
public class UserTraitsRepository {
    private final Pool pool;

    public UserTraitsRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Each user's traits as they stood before the records of {@code firstOffsets} (first offset read per events.raw
     * partition): the newest version not opened by one of them or a later record of their partition.
     */
    public Uni<Map<UserKey, UserTraits>> before(Collection<UserKey> users, Map<Integer, Long> firstOffsets) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        String[] apps = users.stream().map(UserKey::appId).toArray(String[]::new);
        String[] ids = users.stream().map(UserKey::userId).toArray(String[]::new);
        Integer[] partitions = firstOffsets.keySet().toArray(Integer[]::new);
        Long[] offsets = Arrays.stream(partitions).map(firstOffsets::get).toArray(Long[]::new);
        return pool.preparedQuery("""
                        SELECT DISTINCT ON (d.app_id, d.user_id) d.* FROM dim_users d
                        JOIN unnest($1::text[], $2::text[]) AS k(app_id, user_id) USING (app_id, user_id)
                        WHERE NOT EXISTS (SELECT 1 FROM unnest($3::int[], $4::bigint[]) AS b(source_partition, first_offset)
                                          WHERE d.source_partition = b.source_partition AND d.source_offset >= b.first_offset)
                        ORDER BY d.app_id, d.user_id, d.version DESC""")
                .execute(Tuple.of(apps, ids, partitions, offsets)).map(rows -> {
                    Map<UserKey, UserTraits> traits = new HashMap<>();
                    for (Row row : rows) {
                        traits.put(new UserKey(row.getString("app_id"), row.getString("user_id")), toTraits(row));
                    }
                    return traits;
                });
    }

    /**
     * Applies the changes in order, in one transaction: each closes the current version and opens the next, unless
     * its record opened one already (a batch read again).
     */
    public Uni<Void> apply(List<TraitChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(connection -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (TraitChange change : changes) {
                chain = chain.flatMap(ignored -> apply(connection, change));
            }
            return chain;
        });
    }

    private Uni<Void> apply(SqlConnection connection, TraitChange change) {
        OffsetDateTime at = change.validFrom().atOffset(ZoneOffset.UTC);
        return connection.preparedQuery("""
                        SELECT 1 FROM dim_users WHERE app_id = $1 AND user_id = $2 AND source_partition = $3 AND source_offset = $4""")
                .execute(Tuple.of(change.appId(), change.userId(), change.source().partition(), change.source().offset()))
                .flatMap(written -> written.size() > 0 ? Uni.createFrom().voidItem() : open(connection, change, at));
    }

    private Uni<Void> open(SqlConnection connection, TraitChange change, OffsetDateTime at) {
        return connection.preparedQuery("""
                        UPDATE dim_users SET valid_to = greatest($3, valid_from), is_current = false
                        WHERE app_id = $1 AND user_id = $2 AND is_current RETURNING valid_to, version""")
                .execute(Tuple.of(change.appId(), change.userId(), at))
                .flatMap(closed -> {
                    Row previous = closed.size() == 0 ? null : closed.iterator().next();
                    UserTraits t = change.traits();
                    return connection.preparedQuery("""
                                    INSERT INTO dim_users (app_id, user_id, gender, age, os, source, country, city,
                                                           exp_group, version, valid_from, valid_to, is_current,
                                                           source_partition, source_offset)
                                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, true, $12, $13)""")
                            .execute(Tuple.from(new Object[] {change.appId(), change.userId(),
                                    t.gender() == null ? null : t.gender().shortValue(),
                                    t.age() == null ? null : t.age().shortValue(),
                                    t.os(), t.source(), t.country(), t.city(), t.expGroup(),
                                    previous == null ? 1 : previous.getInteger("version") + 1,
                                    previous == null ? at : previous.getOffsetDateTime("valid_to"),
                                    change.source().partition(), change.source().offset()}));
                })
                .replaceWithVoid();
    }

    private static UserTraits toTraits(Row row) {
        Short gender = row.getShort("gender");
        Short age = row.getShort("age");
        return new UserTraits(gender == null ? null : gender.intValue(), age == null ? null : age.intValue(),
                row.getString("os"), row.getString("source"), row.getString("country"), row.getString("city"),
                row.getInteger("exp_group"));
    }
}
