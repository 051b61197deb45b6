package dev.pulse.aggregate.messaging;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import java.time.Duration;

/**
 * A batch's database write is retried with backoff until PostgreSQL takes it, never skipped: its offsets are
 * committed only after it, so no record is passed over.
 */
final class UntilStored {
    private UntilStored() {
    }

    static <T> Uni<T> retry(Uni<T> write, String what) {
        return write.onFailure().invoke(e -> Log.warnf("%s failed, retrying: %s", what, e.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely();
    }
}
