package dev.pulse.aggregate.service;

import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.ErasureRepository;
import dev.pulse.contract.ErasureCommand;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * aggregate's part of a user's erasure, in one PostgreSQL transaction holding the app's lock (no batch of the app
 * interleaves): the user's raw events and per-user rows are deleted, the days they were part of are rebuilt from
 * the remaining raw events by the recompute's code, so every fact equals a build without them. Then the app's
 * real-time views are rebuilt from the raw store. Deletes once per erasure id; a redelivered command rebuilds the
 * real-time views again.
 */
@ApplicationScoped
public class ErasureService {
    private final Pool pool;
    private final AppLocks locks;
    private final ErasureRepository repository;
    private final RecomputeService recompute;
    private final ClosedDayVersionRepository closedDays;
    private final RealtimeService realtime;

    public ErasureService(Pool pool, AppLocks locks, ErasureRepository repository, RecomputeService recompute,
            ClosedDayVersionRepository closedDays, RealtimeService realtime) {
        this.pool = pool;
        this.locks = locks;
        this.repository = repository;
        this.recompute = recompute;
        this.closedDays = closedDays;
        this.realtime = realtime;
    }

    /** @return the rows touched per table, or empty when this erasure was done before */
    public Uni<Optional<Map<String, Long>>> erase(ErasureCommand command) {
        TreeSet<LocalDate> days = new TreeSet<>();
        return pool.withTransaction(connection -> repository.claim(connection, command).flatMap(claimed -> claimed
                        ? locks.exclusive(connection, command.appId())
                                .flatMap(x -> repository.days(connection, command)).invoke(days::addAll)
                                .flatMap(x -> eraseAndRebuild(connection, command, days)).map(Optional::of)
                        : Uni.createFrom().item(Optional.<Map<String, Long>>empty())))
                // a command is redelivered only after a failure, possibly one after the commit and before or during
                // the rebuild (Redis down, a crash): the rebuild is then done again, or the user would stay in Redis
                .call(counts -> counts.isEmpty() || touchesRealtime(days) ? realtime.rebuildAfterErasure() : Uni.createFrom().voidItem())
                .invoke(counts -> counts.ifPresent(c -> Log.infof("erasure %s of a user of %s: %s", command.erasureId(), command.appId(), c)));
    }

    private Uni<Map<String, Long>> eraseAndRebuild(SqlConnection connection, ErasureCommand command, TreeSet<LocalDate> days) {
        Uni<Map<String, Long>> erased = repository.erase(connection, command);
        for (LocalDate day : days) {
            erased = erased.call(counts -> recompute.rebuildDay(connection, command.appId(), day));
        }
        return erased
                .call(counts -> days.isEmpty() ? Uni.createFrom().voidItem() : repository.dropEmptied(connection, command.appId(), days))
                .call(counts -> closedDays.bump(connection, Set.of(command.appId())))
                .invoke(counts -> counts.put("days_rebuilt", (long) days.size()))
                .call(counts -> repository.complete(connection, command, counts));
    }

    /** Redis holds the last days only; older erased events were never there any more. */
    private static boolean touchesRealtime(TreeSet<LocalDate> days) {
        return !days.isEmpty() && !days.last().isBefore(LocalDate.now(ZoneOffset.UTC).minusDays(4));
    }
}
