package dev.pulse.web.problem;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.Set;

/**
 * A store that cannot be reached (PostgreSQL or Redis stopped, restarting, refusing connections) is not the
 * client's fault nor a bug: the answer is a 503 with Retry-After, so that clients and load balancers retry.
 */
public final class StoreFailures {
    /** Long enough for a restarting store to come back, short enough for a dashboard's next refresh. */
    public static final int RETRY_AFTER_SECONDS = 5;
    // SQLSTATE class 08 (connection exception) and the server going away or not yet accepting connections
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");
    // how the Redis client fails a command whose connection closed under it (a store stopping mid-request)
    private static final String REDIS_CLOSED = "Connection is closed";

    private StoreFailures() {
    }

    /** Whether {@code failure}, or one of its causes, says the store could not be reached. */
    public static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof ClosedConnectionException
                    || t instanceof NoStackTraceThrowable && REDIS_CLOSED.equals(t.getMessage())
                    || t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || UNAVAILABLE_STATES.contains(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    public static ProblemException unavailable(String store) {
        return ProblemException.unavailable(store + " cannot be reached; retry later", RETRY_AFTER_SECONDS);
    }
}
