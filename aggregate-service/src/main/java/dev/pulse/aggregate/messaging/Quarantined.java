package dev.pulse.aggregate.messaging;

import dev.pulse.consumer.InvalidEventPublisher;
import dev.pulse.consumer.PartitionProgress;
import dev.pulse.consumer.Quarantine;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import java.util.List;

/** A record that fails on its own while PostgreSQL answers leaves for events.invalid as unprocessable, counted. */
final class Quarantined {
    private Quarantined() {
    }

    static Uni<Void> publish(InvalidEventPublisher publisher, Quarantine quarantine, PartitionProgress progress, ReadRecord record,
            Throwable failure) {
        Log.errorf("%s record %d/%d fails on its own while PostgreSQL answers; quarantined: %s",
                record.topic(), record.partition(), record.offset(), failure.toString());
        return publisher.publish(Quarantine.invalidEvent(Quarantine.appOf(record.key(), record.value()), failure, record.value(),
                        record.topic(), record.partition(), record.offset()))
                .invoke(() -> {
                    quarantine.counted(record.topic(), Quarantine.REASON);
                    Progress.progressed(progress, List.of(record));
                });
    }
}
