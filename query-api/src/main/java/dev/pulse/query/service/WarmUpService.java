package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.GroupUsers.Kind;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.query.repository.SqlRows;
import dev.pulse.query.service.DayStateService.ClosedDays;
import dev.pulse.schema.DayStateDimension;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.roaringbitmap.RoaringBitmap;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At start, before the instance counts as ready (WarmUpCheck), a month by post of made-up state rows
 * (QueryCompiler#warmUpState) goes through what an answer read from the day state runs: the statement's rows decoded,
 * the days' parts, their merge, each group's totals. A new JVM's first answer of many rows otherwise waits for the JIT
 * (a cold month by post at 1M events took 580–820 ms, 146 ms in a warm JVM, the JIT compiling the PostgreSQL client's
 * row decoding meanwhile: bench/RESULTS.md), and a new replica or a restarted one would answer its first months so.
 * Several passes: after one, the first month by post at 10M still had 441 methods compiled while it was answered (570 ms
 * of compiler CPU on two cores); after three it took 479 ms rather than 652 (medians of 9 new JVMs, bench/RESULTS.md).
 */
@ApplicationScoped
public class WarmUpService {
    /** At most this many passes (PULSE_QUERY_WARM_UP_PASSES): a mistyped count would keep the instance out for hours. */
    static final int MAX_PASSES = 10;

    /** What the warm-up did: off, or the rows read and groups merged per pass, the passes over, in how long; or why it failed. */
    public record Outcome(String status, int rows, int groups, int passes, long millis) {
    }

    private final QueryCompiler compiler;
    private final SqlRows sql;
    private final QueryConfig config;
    private volatile Outcome outcome;

    public WarmUpService(QueryCompiler compiler, SqlRows sql, QueryConfig config) {
        this.compiler = compiler;
        this.sql = sql;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        if (config.warmUpRows() < 0) {
            throw new IllegalStateException("pulse.query.warm-up-rows must be 0 or more, not " + config.warmUpRows());
        }
        int passes = config.warmUpPasses();
        if (passes < 0 || passes > MAX_PASSES) {
            // each pass may take twice the statement timeout before the instance is ready
            throw new IllegalStateException("pulse.query.warm-up-passes must be 0 to " + MAX_PASSES + ", not " + passes);
        }
        // no more than an answer may hold
        int rows = Math.min(config.warmUpRows(), config.maxRows());
        if (rows == 0 || passes == 0 || ImageMode.current().isNativeImage()) {
            // a native image has no JIT to warm
            outcome = new Outcome("off", 0, 0, 0, 0);
            return;
        }
        long start = System.nanoTime();
        AtomicInteger over = new AtomicInteger();
        // each pass's groups are the same made-up month's: the last is reported
        Multi.createBy().repeating().uni(() -> pass(rows)).atMost(passes).invoke(groups -> over.incrementAndGet()).collect().last()
                .subscribe().with(groups -> {
            outcome = new Outcome("done", rows, groups, over.get(), (System.nanoTime() - start) / 1_000_000);
            Log.infof("warm-up: %d rows, %d groups merged %d times in %d ms", rows, groups, over.get(), outcome.millis());
        }, failure -> {
            // the database's own check tells whether answers can be read; an instance is not kept out for its warm-up
            outcome = new Outcome("failed: " + failure, rows, 0, over.get(), (System.nanoTime() - start) / 1_000_000);
            Log.warnf(failure, "warm-up failed; the first answers of many rows wait for the JIT");
        });
    }

    /** What the warm-up did, once it is over. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    /**
     * One {@link #read}, given up after twice the statement timeout: PostgreSQL's own is never sent by a stalled server
     * or a half-open connection.
     */
    private Uni<Integer> pass(int rows) {
        return read(rows).ifNoItem().after(Duration.ofMillis(2 * config.statementTimeoutMs())).fail();
    }

    /** The made-up month read and merged; gives its groups. */
    Uni<Integer> read(int rows) {
        LocalDate to = LocalDate.now(ZoneOffset.UTC);
        Query query = new Query(new App("warm-up", ZoneOffset.UTC), List.of(Metric.ACTIVE_USERS, Metric.EVENTS), to.minusDays(29), to,
                List.of(Dimension.POST_ID), List.of(), List.of(), Integer.MAX_VALUE, 0);
        QueryCompiler.Compiled state = compiler.warmUpState(query.from(), rows);
        // merged on a worker: it holds its thread about a second in a JVM that has not compiled it, and no answer waits
        return sql.map(state.sql(), state.params(), io.vertx.mutiny.sqlclient.Row::getDelegate).emitOn(Infrastructure.getDefaultWorkerPool()).map(read -> {
            ClosedDays month = ClosedDays.merged(query, read.stream().collect(DayStateService.parts(query, DayStateDimension.POST_ID,
                    List.of(Kind.USERS), List.of(Partial.EVENTS), false, Integer.MAX_VALUE)).orElseThrow(), Integer.MAX_VALUE);
            RoaringBitmap none = new RoaringBitmap();
            month.groups().values().forEach(group -> group.totals(none));
            return month.groups().size();
        });
    }
}
