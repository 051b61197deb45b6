package dev.pulse.aggregate.service;

import dev.pulse.aggregate.config.AggregateConfig;
import dev.pulse.aggregate.domain.AppDay;
import dev.pulse.aggregate.domain.BatchShares;
import dev.pulse.aggregate.domain.BatchShares.AppUser;
import dev.pulse.aggregate.domain.DayState;
import dev.pulse.aggregate.domain.RollupDelta;
import dev.pulse.aggregate.domain.UserDay;
import dev.pulse.aggregate.repository.AppLocks;
import dev.pulse.aggregate.repository.ClosedDayVersionRepository;
import dev.pulse.aggregate.repository.CounterFactsRepository;
import dev.pulse.aggregate.repository.CumulativeRepository;
import dev.pulse.aggregate.repository.DayStateRepository;
import dev.pulse.aggregate.repository.EventTimesRepository;
import dev.pulse.aggregate.repository.OpenDayStateRepository;
import dev.pulse.aggregate.repository.PostFactsRepository;
import dev.pulse.aggregate.repository.RawStoreRepository;
import dev.pulse.aggregate.repository.SessionRepository;
import dev.pulse.aggregate.repository.UserDailyRollupRepository;
import dev.pulse.aggregate.repository.UserDayFactsRepository;
import dev.pulse.contract.EnrichedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies a batch of enriched events to the raw store and every fact in one PostgreSQL transaction. The raw
 * store's primary key decides which events are new; only those touch the facts, so a replayed batch (after
 * a crash before the Kafka commit) changes nothing: an exactly-once effect on top of at-least-once delivery.
 */
@ApplicationScoped
public class AggregationService {
    private final Pool pool;
    private final RawStoreRepository rawStore;
    private final UserDayFactsRepository userDays;
    private final PostFactsRepository posts;
    private final CounterFactsRepository counters;
    private final CumulativeRepository cumulative;
    private final UserDailyRollupRepository rollup;
    private final EventTimesRepository eventTimes;
    private final SessionRepository sessions;
    private final AppLocks locks;
    private final ClosedDayVersionRepository closedDays;
    private final RealtimeService realtime;
    private final DayStateRepository dayStates;
    private final OpenDayStateRepository openDays;
    private final int maxValues;

    /** A batch's events new to the raw store, committed, and the real-time epoch they belong to. */
    public record Applied(List<EnrichedEvent> fresh, long epoch) {
    }

    public AggregationService(Pool pool, RawStoreRepository rawStore, UserDayFactsRepository userDays,
            PostFactsRepository posts, CounterFactsRepository counters, CumulativeRepository cumulative,
            UserDailyRollupRepository rollup, EventTimesRepository eventTimes, SessionRepository sessions, AppLocks locks,
            ClosedDayVersionRepository closedDays, DayStateRepository dayStates, OpenDayStateRepository openDays, AggregateConfig config,
            RealtimeService realtime) {
        this.dayStates = dayStates;
        this.openDays = openDays;
        this.maxValues = config.dayState().maxValues();
        this.realtime = realtime;
        this.eventTimes = eventTimes;
        this.sessions = sessions;
        this.rollup = rollup;
        this.closedDays = closedDays;
        this.locks = locks;
        this.pool = pool;
        this.rawStore = rawStore;
        this.userDays = userDays;
        this.posts = posts;
        this.counters = counters;
        this.cumulative = cumulative;
    }

    /**
     * @return the events that were new to the raw store, now committed, with the real-time epoch read while the
     * batch held the real-time cut (a rebuild cutting after this commit has these events)
     */
    public Uni<Applied> apply(List<EnrichedEvent> events) {
        Set<String> apps = new TreeSet<>();
        events.forEach(e -> apps.add(e.appId()));
        return pool.withTransaction(connection -> locks.shared(connection, apps)
                .flatMap(x -> realtime.epoch())
                .flatMap(epoch -> rawStore.insertNew(connection, events)
                        // the days events of ended days change are read before the facts move the users' first days,
                        // and bumped after the facts (only their day state's change follows), so that their rows are
                        // locked for the least time
                        .flatMap(fresh -> closedDays.endedDays(connection, fresh)
                                .flatMap(late -> applyFacts(connection, fresh, late))
                                .replaceWith(new Applied(fresh, epoch)))));
    }

    /**
     * The facts, then the days of ended days bumped, and their day state changed by what the late users' rollup rows
     * gained: read once each late user is locked (user_first_seen's upsert), before and after the rollups move; the
     * batch's share of the days not over yet once the rollups moved, before the bump, so that a wait for the app's
     * ordinal lock never holds the bumped days' rows.
     */
    private Uni<Void> applyFacts(SqlConnection connection, List<EnrichedEvent> fresh, List<UserDay> late) {
        return eventFacts(connection, fresh)
                .flatMap(x -> dayStates.before(connection, late))
                .flatMap(before -> rollups(connection, fresh)
                        .flatMap(bySide -> addShares(connection, bySide))
                        .flatMap(x -> dayStates.changes(connection, late, before)))
                .flatMap(changes -> closedDays.bump(connection, late)
                        .flatMap(versions -> dayStates.change(connection, versions, changes, maxValues)))
                .replaceWithVoid();
    }

    /** Adds the batch's rollup rows to the state of the days batches add to (V34), its users numbered first. */
    private Uni<Void> addShares(SqlConnection connection, RollupDelta bySide) {
        Set<AppDay> days = new HashSet<>();
        bySide.rows().keySet().forEach(k -> days.add(new AppDay(k.appId(), k.date())));
        return openDays.held(connection, days).flatMap(held -> {
            if (held.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Set<AppUser> users = new HashSet<>();
            bySide.rows().keySet().stream().filter(k -> held.containsKey(new AppDay(k.appId(), k.date())))
                    .forEach(k -> users.add(new AppUser(k.appId(), k.userId())));
            return openDays.ordinals(connection, users).flatMap(ordinals -> {
                Map<AppDay, DayState> shares = new TreeMap<>(Comparator.comparing(AppDay::appId).thenComparing(AppDay::date));
                shares.putAll(BatchShares.of(bySide, held.keySet(), ordinals));
                return Multi.createFrom().iterable(shares.entrySet())
                        .onItem().transformToUniAndConcatenate(share -> openDays.add(connection, share.getKey(), share.getValue(), held.get(share.getKey())))
                        .collect().last().replaceWithVoid();
            });
        });
    }

    /** Every fact's share of events new to them: the incremental path, and the replay of a recompute. */
    Uni<Void> applyFacts(SqlConnection connection, List<EnrichedEvent> fresh) {
        return eventFacts(connection, fresh).flatMap(x -> rollups(connection, fresh)).replaceWithVoid();
    }

    private Uni<Void> eventFacts(SqlConnection connection, List<EnrichedEvent> fresh) {
        // user_first_seen's upsert locks each user first: a second transaction with one of them (two consumers of a
        // user while partitions are added) waits for this one's commit before it reads the rows the facts below move
        // by their change (feed_user_posts, fact_user_connections). The messenger facts add the connections the
        // counters inserted, so those come first; the feed moves the posts' view-to-like times, so the posts' rows
        // must exist before it
        return cumulative.apply(connection, fresh)
                .flatMap(x -> posts.apply(connection, fresh))
                .flatMap(x -> userDays.applyFeed(connection, fresh))
                .flatMap(x -> counters.apply(connection, fresh))
                .flatMap(added -> userDays.applyMessenger(connection, fresh, added));
    }

    /**
     * The per-user rollups and their sessions (every write to fact_user_daily and fact_user_event_daily), then the event
     * times; @return the rollup rows added
     */
    private Uni<RollupDelta> rollups(SqlConnection connection, List<EnrichedEvent> fresh) {
        // the sessions read once user_first_seen's upsert has locked each user (SessionRepository), before the rollup rows
        // take their change; their ends and recomputes once the rows exist
        return sessions.delta(connection, fresh)
                .flatMap(delta -> rollup.apply(connection, fresh, delta.changes()).call(x -> sessions.write(connection, delta)))
                .call(x -> eventTimes.apply(connection, fresh));
    }
}
