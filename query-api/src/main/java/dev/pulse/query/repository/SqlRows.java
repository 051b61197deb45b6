package dev.pulse.query.repository;

import dev.pulse.contract.problem.StoreFailures;
import dev.pulse.contract.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs read-only SQL and hands back rows of JSON-ready values. A statement PostgreSQL cancels for running past
 * query-api's statement_timeout is a question too big to answer: a 400 that says how to narrow it; PostgreSQL
 * out of reach is a 503 (StoreFailures).
 */
@ApplicationScoped
public class SqlRows {
    private static final String QUERY_CANCELED = "57014";

    private final Pool pool;
    private final QueryConfig config;

    public SqlRows(Pool pool, QueryConfig config) {
        this.pool = pool;
        this.config = config;
    }

    public Uni<List<List<Object>>> query(String sql, List<Object> params) {
        return map(sql, params, row -> {
            List<Object> values = new ArrayList<>(row.size());
            for (int i = 0; i < row.size(); i++) {
                values.add(json(row.getValue(i)));
            }
            return values;
        });
    }

    /** Each row as {@code mapper} makes it, with the same answers to a cancelled statement or an unreachable store. */
    public <T> Uni<List<T>> map(String sql, List<Object> params, Function<Row, T> mapper) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<T> result = new ArrayList<>(rows.size());
            for (Row row : rows) {
                result.add(mapper.apply(row));
            }
            return result;
        }).onFailure(e -> e instanceof PgException pg && QUERY_CANCELED.equals(pg.getSqlState())).transform(e -> ProblemException.badRequest(
                "the question ran longer than " + config.statementTimeoutMs() + " ms and was cancelled: narrow it"
                        + " (fewer days, a filter, fewer dimensions)", null))
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
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
