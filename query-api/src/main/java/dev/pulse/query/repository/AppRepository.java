package dev.pulse.query.repository;

import dev.pulse.web.problem.StoreFailures;
import dev.pulse.query.domain.App;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneId;
import java.util.Optional;

@ApplicationScoped
public class AppRepository {
    private final Pool pool;

    public AppRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<App>> findByReadTokenHash(String hash) {
        return pool.preparedQuery("""
                        SELECT app_id, timezone, session_timeout_seconds, user_day_sessions_current(app_id) AS sessions_kept
                        FROM apps WHERE read_token_hash = $1""").execute(Tuple.of(hash))
                .<Optional<App>>map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new App(row.getString("app_id"), ZoneId.of(row.getString("timezone")),
                            row.getInteger("session_timeout_seconds"), row.getBoolean("sessions_kept")));
                })
                .onFailure(StoreFailures::unreachable).transform(e -> StoreFailures.unavailable("PostgreSQL"));
    }
}
