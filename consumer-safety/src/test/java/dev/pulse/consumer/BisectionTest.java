package dev.pulse.consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BisectionTest {

    /** Writes as a sink would that refuses every slice holding a poison record; returns what it saw. */
    private record Outcome(List<Integer> written, List<Integer> quarantined, int attempts) {
    }

    private static Outcome run(int n, Set<Integer> poison, int attemptsPerSlice) {
        Bisection<Integer> bisection = new Bisection<>(IntStream.range(0, n).boxed().toList(), attemptsPerSlice);
        List<Integer> written = new ArrayList<>();
        List<Integer> quarantined = new ArrayList<>();
        while (!bisection.done()) {
            List<Integer> slice = bisection.current();
            if (slice.stream().noneMatch(poison::contains)) {
                written.addAll(slice);
                bisection.succeeded();
            } else if (bisection.failed() == Bisection.Verdict.QUARANTINE) {
                quarantined.add(slice.getFirst());
                bisection.quarantined();
            }
        }
        return new Outcome(written, quarantined, bisection.attempts());
    }

    /** Writes needed for records [from, to): one if it is clean, else every failure of it and of its halves. */
    private static int expectedAttempts(int from, int to, Set<Integer> poison, int attemptsPerSlice) {
        boolean poisoned = poison.stream().anyMatch(p -> p >= from && p < to);
        if (!poisoned) {
            return 1;
        }
        if (to - from == 1) {
            return attemptsPerSlice;
        }
        int half = from + (to - from) / 2;
        return attemptsPerSlice + expectedAttempts(from, half, poison, attemptsPerSlice) + expectedAttempts(half, to, poison, attemptsPerSlice);
    }

    @ParameterizedTest
    @CsvSource({"1,0,1", "1,1,3", "500,1,1", "500,1,3", "500,3,2", "512,10,3", "7,7,2", "1000,50,3"})
    void findsEveryPoisonRecordAndWritesTheRestOnceInOrder(int n, int k, int attemptsPerSlice) {
        Random random = new Random(n * 31L + k);
        Set<Integer> poison = new TreeSet<>();
        while (poison.size() < k) {
            poison.add(random.nextInt(n));
        }

        Outcome outcome = run(n, poison, attemptsPerSlice);

        assertEquals(List.copyOf(poison), outcome.quarantined());
        List<Integer> clean = IntStream.range(0, n).filter(i -> !poison.contains(i)).boxed().toList();
        assertEquals(clean, outcome.written());
        assertEquals(expectedAttempts(0, n, poison, attemptsPerSlice), outcome.attempts());
    }

    @Test
    void oneRecordAmongAThousandCostsAFewAttemptsPerHalving() {
        // 1024 records, one poison, 3 attempts per slice: 11 poisoned slices fail 3 times, 10 clean halves pass once
        Outcome outcome = run(1024, Set.of(700), 3);

        assertEquals(11 * 3 + 10, outcome.attempts());
        assertTrue(outcome.attempts() < 1024 / 10, "bisection, not record by record");
    }

    @Test
    void aBatchThatPassesIsWrittenOnceWhole() {
        Outcome outcome = run(100, Set.of(), 3);

        assertEquals(1, outcome.attempts());
        assertEquals(100, outcome.written().size());
    }

    @Test
    void onlyARecordThatKeptFailingIsQuarantined() {
        Bisection<String> bisection = new Bisection<>(List.of("a", "b"), 2);

        assertThrows(IllegalStateException.class, bisection::quarantined);
        assertEquals(Bisection.Verdict.RETRY, bisection.failed());
        assertEquals(Bisection.Verdict.SPLIT, bisection.failed());
        assertEquals(List.of("a"), bisection.current());
        assertEquals(Bisection.Verdict.RETRY, bisection.failed());
        assertThrows(IllegalStateException.class, bisection::quarantined);
    }

    @Test
    void anEmptyBatchIsDone() {
        assertTrue(new Bisection<>(List.of(), 3).done());
        assertThrows(IllegalStateException.class, () -> new Bisection<>(List.of(), 3).current());
    }
}
