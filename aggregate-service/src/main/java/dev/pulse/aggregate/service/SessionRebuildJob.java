package dev.pulse.aggregate.service;

import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.SessionRepository;
import dev.pulse.aggregate.repository.SessionRepository.Outdated;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps each app's sessions computed with the app's timeout. Batches always use the timeout the app has now; after a
 * change (PUT /v1/admin/apps/{app}/sessions, through ingest-service, which counts changes in
 * apps.session_timeout_version), after the upgrade that added kept sessions, or for a new app, this job checks
 * every day the raw store has and recomputes those whose kept sessions differ from what their events make, one day
 * per transaction holding the app (its batches wait for one day, not for the history; a new app's days, kept right
 * from its first batch, are only read), then records the version in app_sessions — unless the timeout changed meanwhile, when the next run starts
 * over. query-api answers session metrics from the raw store until then; each day rewritten is bumped in the rewrite's
 * transaction (query-api's cached answers of it, its day state).
 * One replica rebuilds an app at a time (a session lock); an app that fails is logged and retried at the next run
 * without holding up the others.
 */
@ApplicationScoped
public class SessionRebuildJob {
    private final Pool pool;
    private final SessionRepository sessions;
    private final AppLocks locks;
    private final ClosedDayVersionRepository closedDays;
    private final MeterRegistry registry;

    public SessionRebuildJob(Pool pool, SessionRepository sessions, AppLocks locks, ClosedDayVersionRepository closedDays,
            MeterRegistry registry) {
        this.pool = pool;
        this.sessions = sessions;
        this.locks = locks;
        this.closedDays = closedDays;
        this.registry = registry;
    }

    @Scheduled(every = "${pulse.aggregate.sessions.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> rebuildOutdated() {
        return rebuildOutdatedApps().replaceWithVoid();
    }

    /** @return the apps whose sessions now follow their timeout */
    public Uni<List<String>> rebuildOutdatedApps() {
        return pool.withConnection(sessions::outdated)
                .onItem().transformToMulti(apps -> Multi.createFrom().iterable(apps))
                .onItem().transformToUniAndConcatenate(app -> rebuildIfNoOtherReplicaIs(app.appId())
                        .onFailure().recoverWithItem(e -> {
                            Log.errorf(e, "rebuilding the sessions of app %s failed; the next run tries again", app.appId());
                            registry.counter("pulse.aggregate.sessions.rebuild.failures").increment();
                            return null;
                        }))
                .filter(Objects::nonNull)
                .collect().asList();
    }

    /** @return the app once rebuilt; null when another replica holds it, or has just rebuilt it since the list was read */
    private Uni<String> rebuildIfNoOtherReplicaIs(String appId) {
        return pool.withConnection(held -> sessions.tryLock(held, appId).flatMap(locked -> {
            if (!locked) {
                return Uni.createFrom().<String>nullItem();
            }
            return pool.withConnection(c -> sessions.outdated(c, appId))
                    .flatMap(app -> app.isEmpty() ? Uni.createFrom().<String>nullItem() : rebuild(app.get()))
                    .onTermination().call(() -> sessions.unlock(held));
        }));
    }

    private Uni<String> rebuild(Outdated app) {
        String id = app.appId();
        // listed under the app's lock: a batch of the old timeout has committed by then, and every later one keeps the
        // sessions with the new timeout, so a day whose kept sessions agree with its events now stays right: only the
        // days that differ are rewritten, holding the app (a new app's batches have kept them with its timeout all along)
        return pool.withTransaction(c -> locks.exclusive(c, id).flatMap(x -> sessions.days(c, id)))
                .onItem().transformToMulti(days -> Multi.createFrom().iterable(days))
                .onItem().transformToUniAndConcatenate((LocalDate day) -> pool.withConnection(c -> sessions.differences(c, id, day))
                        .flatMap(differing -> differing == 0 ? Uni.createFrom().item(false)
                                // the day bumped with its rewrite, in one transaction: a run that stops before the record
                                // leaves no state or cached answer of the day's old sessions behind
                                : pool.withTransaction(c -> locks.exclusive(c, id).flatMap(x -> sessions.writeDay(c, id, day))
                                        .call(x -> closedDays.bumpDays(c, Set.of(new AppDay(id, day))))).replaceWith(true)))
                .collect().with(Collectors.partitioningBy(rewritten -> rewritten, Collectors.counting()))
                .flatMap(days -> pool.withTransaction(c -> locks.exclusive(c, id)
                        .flatMap(x -> sessions.kept(c, id, app.version()))
                        .flatMap(kept -> {
                            if (!kept) {
                                Log.infof("the session timeout of app %s changed while its days were rebuilt; rebuilding again next run", id);
                                return Uni.createFrom().<String>nullItem();
                            }
                            Log.infof("sessions of app %s follow its timeout (version %d): %d days rewritten, %d already agreed", id,
                                    app.version(), days.get(true), days.get(false));
                            // each rewritten day was bumped with its rewrite, and query-api keys its answers by the app's
                            // timeout and whether its sessions are kept: no app-wide bump, which had today's state read
                            // again in full for every new app, in the standard run while its load still ran (bench/RESULTS.md, issue 15)
                            return Uni.createFrom().item(id);
                        })));
    }
}
