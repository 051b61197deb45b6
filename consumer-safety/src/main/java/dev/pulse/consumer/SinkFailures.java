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
 * refused, a timeout, a server shutting down or out of resources, a transient conflict (serialization failure,
 * deadlock), or any Kafka error that is not about the record itself (retriable errors, fencing, rebalances).
 * Everything else may be the records' fault; a caller still asks the sink whether it answers before it believes so.
 */
public final class SinkFailures {
    /** SQLState classes of a server that cannot serve now: connection, resources, operator intervention, not accepting connections, system error. */
    private static final Set<String> DOWN_CLASSES = Set.of("08", "53", "55", "57", "58");
    /** Conflicts between concurrent transactions: the same write goes through when tried again. */
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01");

    private SinkFailures() {
    }

    /** Whether the failure says the sink is unreachable or busy, not that the written records are bad. */
    public static boolean down(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                return state != null && (TRANSIENT_STATES.contains(state) || state.length() >= 2 && DOWN_CLASSES.contains(state.substring(0, 2)));
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
