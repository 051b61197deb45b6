package dev.pulse.consumer;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * Writes a batch so that no record can stall it: a slice that keeps failing while its sink answers is halved
 * ({@link Bisection}) until the records at fault are alone, and those are handed to the quarantine. A sink
 * that is down ({@link SinkFailures}, or its probe gets no answer) quarantines nothing: the writer either
 * waits and writes the same slice again, or fails so that its caller can wait (a Kafka consumer loop that must
 * keep polling).
 */
public final class BatchWriter {
    private static final Logger LOG = Logger.getLogger(BatchWriter.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** Where a batch goes. */
    public interface Sink<T> {
        /** Writes the records, all or none. */
        Uni<Void> write(List<T> records);

        /** Takes a record that failed on its own, with the failure, out of the way. */
        Uni<Void> quarantine(T record, Throwable failure);

        /** Answers (true) when the sink is reachable, for instance {@code SELECT 1}. */
        Uni<Boolean> answers();
    }

    public enum WhileDown {
        /** wait with backoff and write the same slice again */
        WAIT,
        /** fail with the sink's error; the caller waits and comes back */
        FAIL
    }

    private final int attemptsPerSlice;
    private final Duration firstBackoff;
    private final Duration longestBackoff;
    private final WhileDown whileDown;

    public BatchWriter(int attemptsPerSlice, Duration firstBackoff, Duration longestBackoff, WhileDown whileDown) {
        this.attemptsPerSlice = attemptsPerSlice;
        this.firstBackoff = firstBackoff;
        this.longestBackoff = longestBackoff;
        this.whileDown = whileDown;
    }

    public <T> Uni<Void> write(List<T> batch, Sink<T> sink) {
        Run<T> run = new Run<>(new Bisection<>(batch, attemptsPerSlice), sink, firstBackoff);
        if (run.bisection.done()) {
            return Uni.createFrom().voidItem();
        }
        // one write per repetition, never one nested in the last: thousands of steps cannot grow the stack
        return Multi.createBy().repeating().uni(() -> step(run)).until(done -> done)
                .collect().last().replaceWithVoid();
    }

    /** One batch's progress. */
    private static final class Run<T> {
        final Bisection<T> bisection;
        final Sink<T> sink;
        Duration backoff;

        Run(Bisection<T> bisection, Sink<T> sink, Duration backoff) {
            this.bisection = bisection;
            this.sink = sink;
            this.backoff = backoff;
        }
    }

    /** Writes the current slice once and reports whether the batch is done. */
    private <T> Uni<Boolean> step(Run<T> run) {
        List<T> slice = run.bisection.current();
        return Uni.createFrom().deferred(() -> run.sink.write(slice)).onItemOrFailure().transformToUni((ok, failure) -> {
            if (failure == null) {
                run.bisection.succeeded();
                run.backoff = firstBackoff;
                return Uni.createFrom().item(run.bisection.done());
            }
            return down(failure, run.sink).flatMap(down -> down
                    ? waitWhileDown(run, slice.size(), failure)
                    : afterRecordFailure(run, failure));
        });
    }

    private <T> Uni<Boolean> afterRecordFailure(Run<T> run, Throwable failure) {
        int size = run.bisection.current().size();
        return switch (run.bisection.failed()) {
            case RETRY -> Uni.createFrom().item(false);
            case SPLIT -> {
                LOG.warnf("writing %d records failed while the sink answers; halving them: %s", size, failure.toString());
                yield Uni.createFrom().item(false);
            }
            case QUARANTINE -> Uni.createFrom().deferred(() -> run.sink.quarantine(run.bisection.current().getFirst(), failure))
                    .onItemOrFailure().transformToUni((ok, quarantineFailure) -> {
                        if (quarantineFailure == null) {
                            run.bisection.quarantined();
                            return Uni.createFrom().item(run.bisection.done());
                        }
                        // the quarantine's own sink is down: the record keeps its place and is written again later
                        return waitWhileDown(run, 1, quarantineFailure);
                    });
        };
    }

    /** Down when the failure says so, or when the sink does not answer a probe now. */
    private static Uni<Boolean> down(Throwable failure, Sink<?> sink) {
        if (SinkFailures.down(failure)) {
            return Uni.createFrom().item(true);
        }
        return Uni.createFrom().deferred(sink::answers).ifNoItem().after(PROBE_TIMEOUT).fail()
                .onFailure().recoverWithItem(false).map(answers -> !answers);
    }

    private Uni<Boolean> waitWhileDown(Run<?> run, int records, Throwable failure) {
        if (whileDown == WhileDown.FAIL) {
            return Uni.createFrom().failure(failure);
        }
        Duration backoff = run.backoff;
        run.backoff = longer(backoff);
        LOG.warnf("writing %d records failed, the sink is down; trying again in %s: %s", records, backoff, failure.toString());
        return Uni.createFrom().item(false).onItem().delayIt().by(backoff);
    }

    private Duration longer(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(longestBackoff) > 0 ? longestBackoff : doubled;
    }
}
