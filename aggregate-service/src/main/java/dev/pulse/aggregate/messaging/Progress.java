package dev.pulse.aggregate.messaging;

import dev.pulse.consumer.PartitionProgress;
import io.smallrye.mutiny.Uni;

import java.util.List;

/** A channel batch's partitions wait while the batch is in work; each write or quarantine of its records is progress. */
final class Progress {
    private Progress() {
    }

    static Uni<Void> tracked(PartitionProgress progress, List<ReadRecord> records, Uni<Void> work) {
        records.forEach(r -> progress.waiting(r.topic(), r.partition(), true));
        return work.invoke(() -> records.forEach(r -> progress.waiting(r.topic(), r.partition(), false)));
    }

    static void progressed(PartitionProgress progress, List<ReadRecord> records) {
        records.forEach(r -> progress.progressed(r.topic(), r.partition()));
    }
}
