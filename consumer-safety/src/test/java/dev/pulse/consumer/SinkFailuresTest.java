package dev.pulse.consumer;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkFailuresTest {

    private static PgException pg(String state) {
        return new PgException("x", "ERROR", state, null);
    }

    @Test
    void connectionsAndServerStatesMeanDown() {
        assertTrue(SinkFailures.down(new CompletionException(new ConnectException("Connection refused"))));
        assertTrue(SinkFailures.down(pg("08006")));
        assertTrue(SinkFailures.down(pg("57P01")));
        assertTrue(SinkFailures.down(pg("53300")));
        assertTrue(SinkFailures.down(pg("40P01")));
        assertTrue(SinkFailures.down(pg("55000")));
        assertTrue(SinkFailures.down(pg("42P01")));
        assertTrue(SinkFailures.down(new VertxException("Connection is closed")));
        assertTrue(SinkFailures.down(new io.smallrye.mutiny.TimeoutException()));
        assertTrue(SinkFailures.down(new TimeoutException("metadata")));
        assertTrue(SinkFailures.down(new ProducerFencedException("fenced")));
    }

    @Test
    void dataErrorsMayBeTheRecords() {
        assertFalse(SinkFailures.down(pg("22021")));
        assertFalse(SinkFailures.down(pg("23505")));
        assertFalse(SinkFailures.down(pg("P0001")));
        assertFalse(SinkFailures.down(pg("54000")));
        assertFalse(SinkFailures.down(pg("40002")));
        assertFalse(SinkFailures.down(pg("21000")));
        assertFalse(SinkFailures.down(new KafkaException("in error state", new RecordTooLargeException("too large"))));
        assertFalse(SinkFailures.down(new UncheckedIOException(new java.io.IOException("not json"))));
        assertFalse(SinkFailures.down(new NullPointerException()));
    }
}
