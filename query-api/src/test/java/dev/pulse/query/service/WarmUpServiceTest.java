package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.health.WarmUpCheck;
import dev.pulse.query.repository.SqlRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up holds readiness until it is over, whatever the database does: its statement answered never, failed, or
 * not sent at all; it reads and merges its month as many times as configured, and stops at a pass never answered
 * (WarmUpIT reads and merges the month on the real database).
 */
class WarmUpServiceTest {
    private static final long STATEMENT_TIMEOUT_MS = 100;

    @Test
    void aStatementNeverAnsweredEndsTheWarmUpAfterTwiceTheStatementTimeout() {
        WarmUpService warmUp = warmUp(Uni.createFrom().nothing(), 50_000);
        WarmUpCheck check = new WarmUpCheck(warmUp);
        long start = System.nanoTime();
        warmUp.start(null);
        assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus(), "not ready while it runs");
        await().atMost(Duration.ofSeconds(10)).until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(2 * STATEMENT_TIMEOUT_MS).toNanos(), "not before the timeout");
        assertTrue(warmUp.outcome().orElseThrow().status().startsWith("failed: "), warmUp.outcome().toString());
    }

    @Test
    void aFailedStatementLetsTheInstanceBeReady() {
        WarmUpService warmUp = warmUp(Uni.createFrom().failure(new IllegalStateException("connection refused")), 50_000);
        warmUp.start(null);
        WarmUpCheck check = new WarmUpCheck(warmUp);
        // the failure reaches the warm-up on a worker thread
        await().atMost(Duration.ofSeconds(10)).until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
        HealthCheckResponse response = check.call();
        assertTrue(String.valueOf(response.getData().orElseThrow().get("status")).contains("connection refused"), response.getData().toString());
    }

    @Test
    void noRowsIsNoWarmUp() {
        WarmUpService warmUp = warmUp(Uni.createFrom().failure(new AssertionError("no statement expected")), 0);
        warmUp.start(null);
        assertEquals("off", warmUp.outcome().orElseThrow().status());
    }

    @Test
    void noMoreRowsThanAnAnswerMayHoldAndNoneBelowZero() {
        WarmUpService more = warmUp(Uni.createFrom().failure(new IllegalStateException("stop")), 100_001);
        more.start(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> more.outcome().isPresent());
        assertEquals(100_000, more.outcome().orElseThrow().rows(), "max-rows");
        assertThrows(IllegalStateException.class, () -> warmUp(Uni.createFrom().nothing(), -1).start(null));
    }

    @Test
    void everyPassReadsAndMergesTheMonthAndNoneFollowsOneNeverAnswered() {
        AtomicInteger reads = new AtomicInteger();
        WarmUpService warmUp = new WarmUpService(new QueryCompiler(), new Answering(null), config(50_000, 3)) {
            @Override
            Uni<Integer> read(int rows) {
                reads.incrementAndGet();
                return Uni.createFrom().item(rows / 25);
            }
        };
        warmUp.start(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> warmUp.outcome().isPresent());
        assertEquals(new WarmUpService.Outcome("done", 50_000, 2_000, 3, warmUp.outcome().orElseThrow().millis()), warmUp.outcome().orElseThrow());
        assertEquals(3, reads.get());

        AtomicInteger secondNever = new AtomicInteger();
        WarmUpService stalled = new WarmUpService(new QueryCompiler(), new Answering(null), config(50_000, 3)) {
            @Override
            Uni<Integer> read(int rows) {
                return secondNever.incrementAndGet() == 2 ? Uni.createFrom().nothing() : Uni.createFrom().item(2_000);
            }
        };
        stalled.start(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> stalled.outcome().isPresent());
        assertTrue(stalled.outcome().orElseThrow().status().startsWith("failed: "), stalled.outcome().toString());
        assertEquals(1, stalled.outcome().orElseThrow().passes(), "passes over");
        assertEquals(2, secondNever.get(), "no third pass after one never answered");
    }

    @Test
    void noPassesIsNoWarmUpAndTooManyAreRefused() {
        WarmUpService none = warmUp(Uni.createFrom().failure(new AssertionError("no statement expected")), 50_000, 0);
        none.start(null);
        assertEquals("off", none.outcome().orElseThrow().status());
        assertThrows(IllegalStateException.class, () -> warmUp(Uni.createFrom().nothing(), 50_000, -1).start(null));
        assertThrows(IllegalStateException.class, () -> warmUp(Uni.createFrom().nothing(), 50_000, WarmUpService.MAX_PASSES + 1).start(null));
    }

    private static WarmUpService warmUp(Uni<List<Row>> answer, int rows) {
        return warmUp(answer, rows, 3);
    }

    private static WarmUpService warmUp(Uni<List<Row>> answer, int rows, int passes) {
        return new WarmUpService(new QueryCompiler(), new Answering(answer), config(rows, passes));
    }

    private static QueryConfig config(int rows, int passes) {
        return (QueryConfig) Proxy.newProxyInstance(QueryConfig.class.getClassLoader(), new Class<?>[] {QueryConfig.class},
                (self, method, args) -> Map.<String, Object>of("warmUpRows", rows, "warmUpPasses", passes, "maxRows", 100_000,
                        "statementTimeoutMs", STATEMENT_TIMEOUT_MS).get(method.getName()));
    }

    /** The statement's answer, as given: no database. */
    private static final class Answering extends SqlRows {
        private final Uni<List<Row>> answer;

        Answering(Uni<List<Row>> answer) {
            super(null, null);
            this.answer = answer;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> Uni<List<T>> map(String sql, List<Object> params, Function<Row, T> mapper) {
            return answer.map(rows -> (List<T>) rows);
        }
    }
}
