package dev.pulse.aggregate.service;

import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.SessionRepository;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;

/**
 * Keeps each app's sessions computed with the app's timeout: an app whose timeout changed (PUT
 * /v1/admin/apps/{app}/sessions, through ingest-service) or that is new gets every user-day recomputed in one
 * transaction holding the app exclusively, so no batch interleaves. Until then query-api answers session metrics from
 * the raw store. The closed-day cache of the app is bumped: its cached sessions were of the old timeout.
 */
@ApplicationScoped
public class SessionRebuildJob {
    private final Pool pool;
    private final SessionRepository sessions;
    private final AppLocks locks;
    private final ClosedDayVersionRepository closedDays;

    public SessionRebuildJob(Pool pool, SessionRepository sessions, AppLocks locks, ClosedDayVersionRepository closedDays) {
        this.pool = pool;
        this.sessions = sessions;
        this.locks = locks;
        this.closedDays = closedDays;
    }

    @Scheduled(every = "${pulse.aggregate.sessions.check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> rebuildOutdated() {
        return rebuildOutdatedApps().replaceWithVoid();
    }

    /** @return the apps rebuilt */
    public Uni<List<String>> rebuildOutdatedApps() {
        return pool.withConnection(sessions::outdated)
                .onItem().transformToMulti(apps -> Multi.createFrom().iterable(apps))
                .onItem().transformToUniAndConcatenate(app -> pool.withTransaction(connection -> locks.exclusive(connection, app)
                        .flatMap(x -> sessions.rebuild(connection, app))
                        .invoke(timeout -> Log.infof("sessions of app %s rebuilt with a %d s timeout", app, timeout))
                        .flatMap(x -> closedDays.bump(connection, Set.of(app)))
                        .replaceWith(app)))
                .collect().asList();
    }
}
