package dev.pulse.query.service;

import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.repository.SqlRows;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Optional;

/**
 * Runs {@link DayStateService#warmUp} at start, before the instance counts as ready (WarmUpCheck): a new replica or
 * a restarted one would otherwise answer its first months of many values at several times a warm JVM's time.
 */
@ApplicationScoped
public class WarmUpService {
    private final DayStateService dayState;
    private final SqlRows sql;
    private final QueryConfig config;
    private volatile String outcome;

    public WarmUpService(DayStateService dayState, SqlRows sql, QueryConfig config) {
        this.dayState = dayState;
        this.sql = sql;
        this.config = config;
    }

    void start(@Observes StartupEvent started) {
        int rows = config.warmUpRows();
        if (rows == 0) {
            outcome = "off";
            return;
        }
        long start = System.nanoTime();
        dayState.warmUp(rows, sql).subscribe().with(groups -> {
            outcome = "%d rows, %d groups merged in %d ms".formatted(rows, groups, (System.nanoTime() - start) / 1_000_000);
            Log.infof("warm-up: %s", outcome);
        }, failure -> {
            // the database's own check tells whether answers can be read; an instance is not kept out for its warm-up
            outcome = "failed: " + failure.getMessage();
            Log.warnf(failure, "warm-up failed; the first answers of many rows wait for the JIT");
        });
    }

    /** What the warm-up did, once it is over. */
    public Optional<String> outcome() {
        return Optional.ofNullable(outcome);
    }
}
