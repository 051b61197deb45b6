package dev.pulse.consumer;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells a sink that is down from a record it cannot take. Down means: no connection, a connection lost or
 * refused, a timeout, a PostgreSQL error no value can cause (the server shutting down or out of resources, a
 * conflict between transactions, a schema that is not as expected), or any Kafka error that is not about the
 * record itself (retriable errors, fencing, rebalances). Everything else (a data error, an exception of the
 * service's own code) may be the records' fault; a caller still asks the sink whether it answers before it
 * believes so.
 */
public final class SinkFailures {
    /**
     * SQLState classes a value can cause: data exceptions (22: bad encoding, out of range...), integrity
     * constraints (23), program limits (54: an index row too large), routines and triggers (2F, 38, 39, P0:
     * RAISE), a deferred constraint failing at commit (40002), and two rows of one statement meeting on one
     * conflict key (21000: an upsert's key that two different values share). Every other state is the server's or
     * the schema's (connection 08, resources 53, shutdown 57, an undefined table 42...): waiting, not quarantining.
     */
    private static final Set<String> RECORD_CLASSES = Set.of("22", "23", "54", "2F", "38", "39", "P0");
    private static final Set<String> RECORD_STATES = Set.of("40002", "21000");

    private SinkFailures() {
    }

    /** Whether the failure says the sink is unreachable or busy, not that the written records are bad. */
    public static boolean down(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state == null || !(RECORD_STATES.contains(state) || state.length() >= 2 && RECORD_CLASSES.contains(state.substring(0, 2)));
            }
            if (t instanceof KafkaException) {
                return !recordFault(t);
            }
            if (t instanceof SocketException || t instanceof UnknownHostException || t instanceof ClosedChannelException
                    || t instanceof TimeoutException || t instanceof io.smallrye.mutiny.TimeoutException
                    || t instanceof VertxException) {
                return true;
            }
        }
        return false;
    }

    /** Kafka refuses this record, whatever the broker's state. */
    private static boolean recordFault(Throwable kafka) {
        for (Throwable t = kafka; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidRecordException || t instanceof SerializationException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
