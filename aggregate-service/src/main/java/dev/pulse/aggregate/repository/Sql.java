package dev.pulse.aggregate.repository;

import dev.pulse.contract.UserTraits;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Small helpers for the repositories' statements. */
final class Sql {
    private Sql() {
    }

    /** One statement over many parameter rows, in one round trip; nothing to do for none. */
    static Uni<Void> batch(SqlConnection connection, String sql, List<Tuple> rows) {
        return rows.isEmpty() ? Uni.createFrom().voidItem() : connection.preparedQuery(sql).executeBatch(rows).replaceWithVoid();
    }

    /** Runs a statement and notes how many rows it deleted or changed under {@code name}. */
    static Uni<Void> count(SqlConnection connection, String sql, Tuple params, String name, Map<String, Long> counts) {
        return connection.preparedQuery(sql).execute(params).invoke(rows -> counts.put(name, (long) rows.rowCount())).replaceWithVoid();
    }

    /**
     * Rows of values as one typed array per column ({@code types}, in the rows' order): the parameters of a statement
     * that unnests them, one execution for the batch where one per row cost PostgreSQL a statement each.
     */
    static Tuple columns(List<Object[]> rows, Class<?>... types) {
        Object[] arrays = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            arrays[i] = Array.newInstance(types[i], rows.size());
            for (int r = 0; r < rows.size(); r++) {
                Array.set(arrays[i], r, rows.get(r)[i]);
            }
        }
        return Tuple.from(arrays);
    }

    /** A rollup key's traits as its columns hold them: gender, age, user_os, source, country, city, exp_group. */
    static List<Object> traits(UserTraits t) {
        return Arrays.asList(t.gender() == null ? null : t.gender().shortValue(), t.age() == null ? null : t.age().shortValue(), t.os(),
                t.source(), t.country(), t.city(), t.expGroup());
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
