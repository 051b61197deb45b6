package dev.pulse.query.repository;

import dev.pulse.web.problem.StoreFailures;
import dev.pulse.web.problem.ProblemException;
import dev.pulse.query.config.QueryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collector;

/**
 * Runs read-only SQL and hands back rows of JSON-ready values. A statement PostgreSQL cancels for running past
 * query-api's statement_timeout is a question too big to answer: a 400 that says how to narrow it; PostgreSQL
 * out of reach is a 503 (StoreFailures).
 */
@ApplicationScoped
public class SqlRows {
    private static final String QUERY_CANCELED = "57014";
    /**
     * Not the question's fault, and over soon: a lock not granted within lock_timeout (on a replica, typically the
     * replay of a partition's DDL from the primary) or a replica cancelling a query that conflicts with recovery.
     */
    private static final java.util.Set<String> TRANSIENT = java.util.Set.of("55P03", "40001");

    private final Pool pool;
    /** Where statements run: the pool, or one of its connections ({@link #onOneServer}). */
    private final SqlClient client;
    private final QueryConfig config;

    @Inject
    public SqlRows(Pool pool, QueryConfig config) {
        this(pool, pool, config);
    }

    private SqlRows(Pool pool, SqlClient client, QueryConfig config) {
        this.pool = pool;
        this.client = client;
        this.config = config;
    }

    /**
     * {@code work} with statements that all run on one pooled connection, so on one server: with several streaming
     * replicas behind one address, what it reads later is at least as new as what it read first.
     */
    public <T> Uni<T> onOneServer(Function<SqlRows, Uni<T>> work) {
        if (client != pool) {
            // already on one connection: a second would hold one while waiting for another, and could be another replica
            return work.apply(this);
        }
        return pool.withConnection(connection -> work.apply(new SqlRows(pool, connection, config)))
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
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
        return answered(client.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<T> result = new ArrayList<>(rows.size());
            for (Row row : rows) {
                result.add(mapper.apply(row));
            }
            return result;
        }));
    }

    /** The rows folded by {@code collector} in the order they arrive, none of them kept: for answers too big to hold. */
    public <R> Uni<R> collect(String sql, List<Object> params, Collector<io.vertx.sqlclient.Row, ?, R> collector) {
        return answered(Uni.createFrom().completionStage(() -> client.getDelegate().preparedQuery(sql).collecting(collector)
                .execute(io.vertx.sqlclient.Tuple.from(params)).toCompletionStage()).map(io.vertx.sqlclient.SqlResult::value));
    }

    private <T> Uni<T> answered(Uni<T> result) {
        return result.onFailure(e -> e instanceof PgException pg && QUERY_CANCELED.equals(pg.getSqlState())).transform(e -> ProblemException.badRequest(
                "the question ran longer than " + config.statementTimeoutMs() + " ms and was cancelled: narrow it"
                        + " (fewer days, a filter, fewer dimensions)", null))
                .onFailure(e -> e instanceof PgException pg && TRANSIENT.contains(pg.getSqlState())).transform(e -> ProblemException.unavailable(
                        "PostgreSQL could not answer now (" + ((PgException) e).getSqlState() + ": a lock or a replica's recovery); retry", 1))
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
