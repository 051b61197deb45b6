package dev.pulse.aggregate;

import dev.pulse.aggregate.service.DailyCloseJob;
import dev.pulse.aggregate.service.DayStateJob;
import dev.pulse.aggregate.service.OpenDayStateJob;
import dev.pulse.aggregate.service.RecomputeService;
import dev.pulse.aggregate.service.SessionRebuildJob;
import dev.pulse.contract.EnrichedEvent;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import static dev.pulse.aggregate.Stored.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new app's events (before autovacuum analyzes its rows, so the planner takes it for next to none) are stored, rolled
 * up and turned into state with about the work of an app the statistics know: the same events, sent for an app analyzed
 * and for its twin not, and the same jobs run after them, read a bounded multiple of the buffers per statement. Every
 * execution is planned for its values, as each statement's first five on a new connection are. A statement planned for
 * the new app as one row per side can read all of the app's rows per row: the day state's base read took 6 s for a new
 * app of 10,000 users (bench/RESULTS.md, issue 15, session 31), and one tenant's first hour would hold up every other's
 * batches. Buffers from pg_stat_statements do not depend on the machine's speed. Autovacuum is off while the test runs.
 * The known app has other users' events on the same days besides (its statistics come from them), so it reads at
 * least as much as its twin.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.class)
class NewAppWritesIT {
    private static final int USERS = 2_000;
    /*
     * A statement may read up to FACTOR times the known app's buffers, and SLACK_PER_CALL more per call: a new app's
     * first executions take other plans, linear in its rows, that read up to 2.3 times the buffers per call (the look
     * for users without an ordinal) and a day's events by index rather than in a row (1,567 buffers against 213). A read
     * of the app's rows per row is far beyond: 23 times, as a join to user_ordinals with the app as a constant did.
     * The known app's days hold twice the users, so against a twin of its own size the bound is about twice as loose.
     */
    private static final long FACTOR = 4;
    private static final long SLACK_PER_CALL = 2_000;

    /** A statement's calls and the shared buffers they read, over a sweep. */
    private record Reads(String sql, long calls, long buffers) {
        static final Reads NONE = new Reads("", 0, 0);

        Reads plus(Reads other) {
            return new Reads(sql, calls + other.calls, buffers + other.buffers);
        }
    }

    @Inject
    DayStateJob dayStates;
    @Inject
    OpenDayStateJob openDays;
    @Inject
    DailyCloseJob close;
    @Inject
    SessionRebuildJob sessions;
    @Inject
    RecomputeService recompute;

    @BeforeAll
    static void plannerAsForANewApp() {
        execute("ALTER SYSTEM SET autovacuum = off");
        // every execution planned for its values, as a statement's first five on each new connection are: after them, a
        // statement's generic plan does not know which app it serves, so it cannot misjudge a new one
        execute("ALTER SYSTEM SET plan_cache_mode = force_custom_plan");
        execute("SELECT pg_reload_conf()");
        execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }

    @AfterAll
    static void plannerBack() {
        try {
            execute("ALTER SYSTEM RESET autovacuum");
        } finally {
            try {
                execute("ALTER SYSTEM RESET plan_cache_mode");
            } finally {
                execute("SELECT pg_reload_conf()");
            }
        }
    }

    @Test
    void aNewAppsEventsAndJobsReadAboutWhatAKnownAppsDo() throws Exception {
        // an app-day ends or settles on the hour or half hour of its zone: other apps' days that become due then would be
        // one sweep's work only
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> untilNextHalfHour().compareTo(Duration.ofMinutes(4)) > 0);
        Instant now = Instant.now();
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        // what other tests left due, so that each sweep's jobs do its app's work only
        runJobs();
        sessions.rebuildOutdatedApps().await().atMost(Duration.ofMinutes(2));
        String known = TestData.newAppId();
        String fresh = TestData.newAppId();
        TestData.createApp(PulseInfrastructure.current().dataSource(), known, "UTC");
        TestData.createApp(PulseInfrastructure.current().dataSource(), fresh, "UTC");
        // the known app's statistics come from other users on the same days (no job has run for them): the sweeps' users
        // are new to both apps, and the known app's sweep runs first, so that its jobs leave nothing for the new app's
        send(known, events(known, "earlier-", today.minusDays(3), 4, 0, now));
        execute("ANALYZE");

        Map<Long, Reads> knownReads = sweep(known, today, now);
        runJobs();
        Map<Long, Reads> freshReads = sweep(fresh, today, now);
        // the premise: the planner takes the new app for a small part of what it is, and the known one for what it is
        long freshEstimate = TestData.plannedUsers(PulseInfrastructure.current().dataSource(), fresh);
        long knownEstimate = TestData.plannedUsers(PulseInfrastructure.current().dataSource(), known);
        assertTrue(freshEstimate <= USERS / 20, "rows estimated for the new app: " + freshEstimate);
        assertTrue(knownEstimate >= USERS / 2, "rows estimated for the known app: " + knownEstimate);

        Set<Long> statements = new TreeSet<>(freshReads.keySet());
        statements.addAll(knownReads.keySet());
        List<String> slower = new ArrayList<>();
        for (long id : statements) {
            Reads reads = freshReads.getOrDefault(id, Reads.NONE);
            Reads twin = knownReads.getOrDefault(id, Reads.NONE);
            if (reads.buffers() > FACTOR * twin.buffers() + SLACK_PER_CALL * Math.max(1, reads.calls())) {
                slower.add(reads.buffers() + " buffers for the new app, " + twin.buffers() + " for the known (" + reads.calls() + " calls): "
                        + reads.sql());
            }
        }
        assertTrue(statements.size() >= 40, "statements recorded: " + statements.size());
        assertEquals(List.of(), slower, "statements reading far more for an app the statistics do not know");
    }

    /**
     * The app's three days before today and today so far, the jobs; then late events of a closed day and more of today,
     * the jobs again, and a day recomputed. @return per statement, its calls and buffers
     */
    private Map<Long, Reads> sweep(String app, LocalDate today, Instant now) throws Exception {
        execute("SELECT pg_stat_statements_reset()");
        send(app, events(app, "user-", today.minusDays(3), 4, 1, now));
        runJobs();
        List<EnrichedEvent> late = new ArrayList<>(events(app, "user-", today.minusDays(2), 1, 2, now));
        late.addAll(events(app, "user-", today, 1, 3, now));
        send(app, late);
        runJobs();
        recompute.recompute(app, today.minusDays(1), today.minusDays(1)).await().atMost(Duration.ofMinutes(2));
        sessions.rebuildOutdatedApps().await().atMost(Duration.ofMinutes(2));
        // by the statement's id: its text is normalized or not depending on whether it was parsed since the reset
        Map<Long, Reads> reads = new HashMap<>();
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("""
                     SELECT queryid, query, calls, shared_blks_hit + shared_blks_read FROM pg_stat_statements
                     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%Stored.send%'""")) {
            while (rows.next()) {
                reads.merge(rows.getLong(1), new Reads(rows.getString(2), rows.getLong(3), rows.getLong(4)), Reads::plus);
            }
        }
        return reads;
    }

    private static Duration untilNextHalfHour() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return Duration.between(now, now.truncatedTo(ChronoUnit.HOURS).plusMinutes(now.getMinute() < 30 ? 30 : 60));
    }

    /** Every job's due work until none is left: the closed days closed and their state built, today's state read and merged. */
    private void runJobs() {
        close.closeDaysEndedBy(Instant.now()).await().atMost(Duration.ofMinutes(2));
        until(() -> dayStates.build());
        until(() -> openDays.base());
        openDays.merge().await().atMost(Duration.ofMinutes(2));
    }

    private static void until(Supplier<Uni<Long>> job) {
        for (int run = 0; run < 20 && job.get().await().atMost(Duration.ofMinutes(2)) > 0; run++) {
            // each run does up to its per-run bound of days
        }
    }

    /**
     * Each user's events on {@code days} days from {@code first}, about two a day (today's up to {@code now}), the
     * same for every app with the same {@code seed} and {@code now}: the apps differ in their ids and event ids only.
     */
    private static List<EnrichedEvent> events(String app, String users, LocalDate first, int days, long seed, Instant now) {
        Random random = new Random(seed);
        List<EnrichedEvent> events = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            Instant start = first.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant();
            long span = Math.max(1, Math.min(86_400, Duration.between(start, now).toSeconds()));
            for (int u = 0; u < USERS; u++) {
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    events.add(AggregationIT.event(app, random, start.plusSeconds(random.nextLong(span)), users + u));
                }
            }
        }
        return events;
    }

    private static void execute(String sql) {
        TestData.execute(PulseInfrastructure.current().dataSource(), sql);
    }
}
