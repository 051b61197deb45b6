package dev.pulse.ingest.service;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-instance fallback bucket, on a clock that stands still unless a test moves it: a wait for m missing tokens
 * is ceil(m / rate). The slow rate is chosen so that no quotient is a whole number.
 */
class LocalTokenBucketsTest {
    private static final double SLOW_RATE = 0.003;
    private static final double BURST = 5;

    private final LocalTokenBuckets buckets = new LocalTokenBuckets(SLOW_RATE, BURST, () -> 0L);

    @Test
    void aFullBurstPassesAtOnceThenTheNextEventWaits() {
        assertEquals(0, buckets.tryAcquire("app", 5));
        // 1 token missing: ceil(1 / 0.003) = ceil(333.3) = 334 s
        assertEquals(334, buckets.tryAcquire("app", 1));
    }

    @Test
    void smallRequestsDrainTheBucketOneByOne() {
        for (int i = 0; i < 5; i++) {
            assertEquals(0, buckets.tryAcquire("app", 1), "event " + i);
        }
        assertEquals(334, buckets.tryAcquire("app", 1));
    }

    @Test
    void aRefusedRequestTakesNoTokens() {
        assertEquals(0, buckets.tryAcquire("app", 3));
        // 2 left, 4 asked: 2 missing, ceil(2 / 0.003) = ceil(666.7) = 667 s
        assertEquals(667, buckets.tryAcquire("app", 4));
        // the 2 tokens are still there
        assertEquals(0, buckets.tryAcquire("app", 2));
        assertEquals(334, buckets.tryAcquire("app", 1));
    }

    @Test
    void appsHaveTheirOwnBuckets() {
        assertEquals(0, buckets.tryAcquire("a", 5));
        assertEquals(334, buckets.tryAcquire("a", 1));
        assertEquals(0, buckets.tryAcquire("b", 5));
        assertEquals(334, buckets.tryAcquire("b", 1));
    }

    @Test
    void aRequestLargerThanTheBurstWaitsAtMostAFullBucket() {
        assertEquals(0, buckets.tryAcquire("app", 5));
        // 1000 asked of an empty bucket of 5: the wait is capped at refilling 5 tokens, ceil(5 / 0.003) = ceil(1666.7) = 1667 s
        assertEquals(1667, buckets.tryAcquire("app", 1000));
        assertEquals(1667, buckets.tryAcquire("app", 6));
    }

    @Test
    void aRequestLargerThanTheBurstNeverPassesEvenOnAFullBucket() {
        // RateLimiter refuses such a configuration at start; the bucket still must not let it through
        assertTrue(buckets.tryAcquire("app", 6) > 0);
        // and it took nothing: the full burst is still there
        assertEquals(0, buckets.tryAcquire("app", 5));
    }

    @Test
    void aRequestOfNoEventsPassesEvenAnEmptyBucket() {
        assertEquals(0, buckets.tryAcquire("app", 5));
        assertEquals(0, buckets.tryAcquire("app", 0));
    }

    @Test
    void waitsAreWholeSecondsAndAtLeastOne() {
        // 5 events/s with a burst of 1: a missing token takes 200 ms, still announced as 1 s
        AtomicLong clock = new AtomicLong();
        LocalTokenBuckets fast = new LocalTokenBuckets(5, 1, clock::get);
        assertEquals(0, fast.tryAcquire("app", 1));
        assertEquals(1, fast.tryAcquire("app", 1));
        // 300 ms refill 1.5 tokens, capped at the burst of 1: one event passes again
        clock.addAndGet(300_000_000L);
        assertEquals(0, fast.tryAcquire("app", 1));
    }
}
