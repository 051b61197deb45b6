package dev.pulse.consumer;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Whether PostgreSQL answers now: a failing write while it does is the records' fault. */
public final class PostgresProbe {
    private PostgresProbe() {
    }

    public static Uni<Boolean> answers(Pool pool) {
        return pool.query("SELECT 1").execute().map(rows -> true).onFailure().recoverWithItem(false);
    }
}
