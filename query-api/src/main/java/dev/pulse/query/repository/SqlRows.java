package dev.pulse.query.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Runs read-only SQL and hands back rows of JSON-ready values. */
@ApplicationScoped
public class SqlRows {
    private final Pool pool;

    public SqlRows(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<List<Object>>> query(String sql, List<Object> params) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<List<Object>> result = new ArrayList<>(rows.size());
            for (Row row : rows) {
                List<Object> values = new ArrayList<>(row.size());
                for (int i = 0; i < row.size(); i++) {
                    values.add(json(row.getValue(i)));
                }
                result.add(values);
            }
            return result;
        });
    }

    private static Object json(Object value) {
        return switch (value) {
            case null -> null;
            case LocalDate date -> date.toString();
            case Short s -> s.intValue();
            case Numeric n -> n.bigDecimalValue();
            case JsonObject object -> object.getMap();
            default -> value;
        };
    }
}
