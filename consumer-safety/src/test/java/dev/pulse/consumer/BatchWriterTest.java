package dev.pulse.consumer;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchWriterTest {
    private static final BatchWriter WAITING = new BatchWriter(2, Duration.ofMillis(1), Duration.ofMillis(5), BatchWriter.WhileDown.WAIT);

    /** A sink refusing slices with a poison record by a data error, and every slice while it is down. */
    private static final class FakeSink implements BatchWriter.Sink<Integer> {
        final Set<Integer> poison;
        final List<Integer> written = new ArrayList<>();
        final List<Integer> quarantined = new ArrayList<>();
        final AtomicInteger downFor = new AtomicInteger();
        final AtomicBoolean answers = new AtomicBoolean(true);

        FakeSink(Set<Integer> poison) {
            this.poison = poison;
        }

        @Override
        public Uni<Void> write(List<Integer> records) {
            if (downFor.getAndDecrement() > 0) {
                return Uni.createFrom().failure(new ConnectException("Connection refused"));
            }
            if (records.stream().anyMatch(poison::contains)) {
                return Uni.createFrom().failure(new PgException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "22021", null));
            }
            written.addAll(records);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> quarantine(Integer record, Throwable failure) {
            quarantined.add(record);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Boolean> answers() {
            return Uni.createFrom().item(answers.get());
        }
    }

    private static List<Integer> upTo(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void poisonRecordsAreQuarantinedAndTheRestWrittenOnce() {
        FakeSink sink = new FakeSink(Set.of(3, 17, 18));

        WAITING.write(upTo(40), sink).await().atMost(Duration.ofSeconds(10));

        assertEquals(List.of(3, 17, 18), sink.quarantined);
        assertEquals(upTo(40).stream().filter(i -> !Set.of(3, 17, 18).contains(i)).toList(), sink.written);
    }

    @Test
    void aSinkThatIsDownQuarantinesNothing() {
        FakeSink sink = new FakeSink(Set.of());
        sink.downFor.set(20);

        WAITING.write(upTo(10), sink).await().atMost(Duration.ofSeconds(10));

        assertEquals(List.of(), sink.quarantined);
        assertEquals(upTo(10), sink.written);
    }

    @Test
    void aDataErrorWhileTheSinkDoesNotAnswerIsWaitedOut() {
        FakeSink sink = new FakeSink(Set.of(5));
        sink.answers.set(false);
        BatchWriter failing = new BatchWriter(2, Duration.ofMillis(1), Duration.ofMillis(5), BatchWriter.WhileDown.FAIL);

        assertThrows(PgException.class, () -> failing.write(upTo(10), sink).await().atMost(Duration.ofSeconds(10)));
        assertEquals(List.of(), sink.quarantined);
    }

    @Test
    void thousandsOfStepsDoNotGrowTheStack() {
        Set<Integer> everyOther = Set.copyOf(IntStream.range(0, 4000).filter(i -> i % 2 == 0).boxed().toList());
        FakeSink sink = new FakeSink(everyOther);

        WAITING.write(upTo(4000), sink).await().atMost(Duration.ofSeconds(60));

        assertEquals(2000, sink.quarantined.size());
        assertTrue(sink.written.stream().noneMatch(everyOther::contains));
    }
}
