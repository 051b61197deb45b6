package dev.pulse.schema;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A row as aggregate-service appends it (V41): batches' parts, each ascending and distinct, read back as one set. */
class EventTimesTest {

    @Test
    void aRowOfAppendedPartsReadsAsTheAscendingDistinctUnion() {
        Random random = new Random(41);
        for (int row = 0; row < 2_000; row++) {
            TreeSet<Long> union = new TreeSet<>();
            List<Long> stored = new ArrayList<>();
            int parts = random.nextInt(6);
            for (int p = 0; p < parts; p++) {
                // times close together, so parts overlap, repeat each other's times and come out of order; some negative
                TreeSet<Long> part = new TreeSet<>();
                int size = 1 + random.nextInt(8);
                for (int i = 0; i < size; i++) {
                    part.add((long) random.nextInt(40) - 5);
                }
                stored.addAll(part);
                union.addAll(part);
            }
            long[] micros = stored.stream().mapToLong(Long::longValue).toArray();
            assertArrayEquals(union.stream().mapToLong(Long::longValue).toArray(), EventTimes.ascending(micros), stored.toString());
        }
    }
}
