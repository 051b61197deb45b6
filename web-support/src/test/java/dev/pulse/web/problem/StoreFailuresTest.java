package dev.pulse.web.problem;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreFailuresTest {
    @Test
    void aStoreThatCannotBeReachedIsToldApartFromOtherFailures() {
        assertTrue(StoreFailures.unreachable(new ConnectException("Connection refused")));
        assertTrue(StoreFailures.unreachable(new RuntimeException(new IOException("reset"))), "as a cause");
        assertTrue(StoreFailures.unreachable(ClosedConnectionException.INSTANCE));
        assertTrue(StoreFailures.unreachable(new PgException("the database system is shutting down", "FATAL", "57P01", null)));
        // the Redis client's failure of a command whose connection closed under it
        assertTrue(StoreFailures.unreachable(new NoStackTraceThrowable("Connection is closed")));

        assertFalse(StoreFailures.unreachable(new NoStackTraceThrowable("ERR wrong number of arguments")));
        assertFalse(StoreFailures.unreachable(new PgException("syntax error", "ERROR", "42601", null)));
        assertFalse(StoreFailures.unreachable(new IllegalStateException("a bug")));
    }
}
