package dev.pulse.query;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.Query;
import dev.pulse.query.service.QueryCompiler;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which store answers which query: the rollup wherever it holds the data, the raw store otherwise. */
class QueryCompilerTest {
    private static final Set<Metric> WITHOUT_PARTIALS = Set.of(Metric.POSTS, Metric.RECEIVERS, Metric.CONNECTIONS, Metric.WAU, Metric.MAU,
            Metric.NEW_FEED_USERS,
            Metric.NEW_MESSENGER_USERS, Metric.USERS_LIFETIME_7D, Metric.FEED_USERS_LIFETIME_7D, Metric.MESSENGER_USERS_LIFETIME_7D,
            Metric.NEW_USERS_7_DAYS_AGO, Metric.FEED_NEW_USERS_7_DAYS_AGO, Metric.MESSENGER_NEW_USERS_7_DAYS_AGO, Metric.MESSENGER_USERS,
            Metric.RECEIVE_ONLY_USERS, Metric.AVG_TIME_BETWEEN_MESSAGES_SENT, Metric.AVG_VIEW_TO_LIKE_SECONDS);
    /** Distinct counts that keep their raw-store SQL and read the event rollup's rows with it. */
    private static final Set<Metric> DISTINCT_IN_EVENT_ROLLUP = Set.of(Metric.POSTS, Metric.RECEIVERS, Metric.CONNECTIONS, Metric.NEW_FEED_USERS, Metric.NEW_MESSENGER_USERS,
            Metric.USERS_LIFETIME_7D, Metric.FEED_USERS_LIFETIME_7D, Metric.MESSENGER_USERS_LIFETIME_7D);
    private final QueryCompiler compiler = new QueryCompiler();

    private static Query query(List<Metric> metrics, List<Dimension> dimensions, List<Filter> filters) {
        return new Query(new App("a", ZoneId.of("UTC")), metrics, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 30),
                dimensions, filters, List.of(), 100, 0);
    }

    @Test
    void everyMetricButDistinctCountsRollingAndTimedOnesHasARollupForm() {
        for (Metric metric : Metric.values()) {
            assertEquals(!WITHOUT_PARTIALS.contains(metric), metric.inRollup(), metric.apiName());
            assertEquals(DISTINCT_IN_EVENT_ROLLUP.contains(metric), metric.distinctInEventRollup(), metric.apiName());
        }
    }

    /** SPEC §5's metrics: none reads the raw store, whatever the dimension (the issue-15 rule for dashboard questions). */
    @Test
    void noSpecMetricReadsTheRawStore() {
        List<Metric> spec = Arrays.stream(new String[] {"active_users", "wau", "mau", "new_users", "views", "likes", "ctr", "posts", "feed_users",
                "messages", "senders", "receivers", "connections", "feed_only_users", "messenger_only_users", "both_users", "events", "signups",
                "purchases", "revenue", "page_views", "plays", "engagement_seconds", "avg_engagement_pct"}).map(n -> Metric.of(n).orElseThrow()).toList();
        for (Metric metric : spec) {
            for (Dimension d : Dimension.values()) {
                Query q = query(List.of(metric), List.of(Dimension.TIME_DAY, d), List.of(new Filter("is_not", d, List.of("x"))));
                String sql;
                if (metric.inRollup()) {
                    assertTrue(compiler.readsRollup(q, List.of(metric)), metric.apiName() + " by " + d.apiName());
                    sql = compiler.partials(q, List.copyOf(metric.partials()), metric.countsUsers(), q.from(), q.to()).sql();
                } else if (metric.isRolling()) {
                    sql = compiler.rolling(q).sql();
                } else {
                    sql = compiler.distinctInEventRollup(q, List.of(metric)).sql();
                }
                assertFalse(java.util.regex.Pattern.compile("(?i)(FROM|JOIN)\\s+events\\b").matcher(sql).find(), metric.apiName() + ": " + sql);
                assertTrue(sql.contains("fact_user_daily") || sql.contains("fact_user_event_daily"), metric.apiName() + ": " + sql);
            }
        }
    }

    @Test
    void distinctCountsReadTheEventRollupByEveryDimensionAndFilter() {
        List<Metric> distinct = List.copyOf(DISTINCT_IN_EVENT_ROLLUP);
        for (Dimension d : Dimension.values()) {
            for (Query q : List.of(query(distinct, List.of(Dimension.TIME_WEEK, d), List.of()),
                    query(distinct, List.of(Dimension.USER_COUNTRY), List.of(new Filter("is", d, List.of("x")))))) {
                String sql = compiler.distinctInEventRollup(q, distinct).sql();
                assertTrue(sql.contains("FROM (SELECT r.*, fs.first_date, fs.first_feed_date, fs.first_messenger_date FROM fact_user_event_daily r")
                        && !sql.contains("FROM events"), sql);
            }
        }
        Query posts = query(List.of(Metric.POSTS), List.of(Dimension.POST_ID), List.of());
        assertTrue(compiler.distinctInEventRollup(posts, List.of(Metric.POSTS)).sql().contains("FROM fact_user_event_daily e"));
        assertThrows(IllegalArgumentException.class, () -> compiler.distinctInEventRollup(posts, List.of(Metric.POSTS, Metric.EVENTS)));
    }

    /** Posts, receivers and connections by time alone, without filters: the daily facts, of days the event rollup holds. */
    @Test
    void postsReceiversAndConnectionsByTimeAloneReadTheDailyFacts() {
        List<Metric> facts = List.of(Metric.POSTS, Metric.RECEIVERS, Metric.CONNECTIONS);
        for (List<Dimension> dims : List.of(List.<Dimension>of(), List.of(Dimension.TIME_DAY), List.of(Dimension.TIME_WEEK),
                List.of(Dimension.TIME_MONTH, Dimension.TIME_DAY))) {
            Query q = query(facts, dims, List.of());
            assertTrue(facts.stream().allMatch(m -> compiler.inDailyFacts(q, m)), dims.toString());
            for (List<LocalDate> days : java.util.Arrays.asList(null, List.of(LocalDate.of(2026, 1, 2)))) {
                String sql = compiler.dailyFacts(q, facts, days).sql();
                assertTrue(sql.contains("FROM fact_daily_posts e") && sql.contains("FROM fact_user_connections e")
                        && sql.contains("EXISTS (SELECT 1 FROM fact_user_event_daily r"), sql);
                assertFalse(java.util.regex.Pattern.compile("(?i)(FROM|JOIN)\\s+events\\b").matcher(sql).find(), sql);
                // a pair counted once over the days of a week or month, by its day's row within a day
                assertEquals(!dims.contains(Dimension.TIME_DAY), sql.contains("SELECT DISTINCT"), sql);
            }
        }
        Query filtered = query(facts, List.of(Dimension.TIME_DAY), List.of(new Filter("is", Dimension.USER_COUNTRY, List.of("DE"))));
        Query byDevice = query(facts, List.of(Dimension.TIME_DAY, Dimension.DEVICE), List.of());
        for (Query q : List.of(filtered, byDevice)) {
            assertFalse(facts.stream().anyMatch(m -> compiler.inDailyFacts(q, m)));
            assertThrows(IllegalArgumentException.class, () -> compiler.dailyFacts(q, facts, null));
        }
        assertFalse(compiler.inDailyFacts(query(List.of(Metric.NEW_FEED_USERS), List.of(Dimension.TIME_DAY), List.of()), Metric.NEW_FEED_USERS));
    }

    @Test
    void timeAndUserQueriesReadTheRollupAndEveryOtherDimensionTheEventRollup() {
        List<Metric> rollupMetrics = Arrays.stream(Metric.values()).filter(Metric::inRollup).toList();
        Query byCountry = query(rollupMetrics, List.of(Dimension.TIME_DAY, Dimension.USER_COUNTRY),
                List.of(new Filter("is", Dimension.USER_GENDER, List.of("1"))));
        assertTrue(compiler.readsRollup(byCountry, rollupMetrics));
        assertEquals("fact_user_daily", compiler.rollupTable(byCountry));
        assertFalse(compiler.readsRollup(query(List.of(Metric.EVENTS, Metric.POSTS), List.of(Dimension.TIME_DAY), List.of()),
                List.of(Metric.EVENTS, Metric.POSTS)));
        List<Metric> withoutSessions = rollupMetrics.stream().filter(m -> !m.needsSessions()).toList();
        for (Dimension d : Dimension.values()) {
            Query grouped = query(withoutSessions, List.of(Dimension.TIME_WEEK, d), List.of());
            Query filtered = query(withoutSessions, List.of(Dimension.USER_COUNTRY), List.of(new Filter("is", d, List.of("x"))));
            for (Query q : List.of(grouped, filtered)) {
                assertTrue(compiler.readsRollup(q, withoutSessions), d.apiName());
                String table = compiler.rollupTable(q);
                assertEquals(d.isTime() || d.apiName().startsWith("user:") ? "fact_user_daily" : "fact_user_event_daily", table, d.apiName());
                String sql = compiler.partials(q, List.of(Partial.EVENTS), true, q.from(), q.to()).sql();
                assertTrue(sql.contains("FROM " + table + " ") && !sql.contains("FROM events"), sql);
            }
        }
        // sessions are kept on fact_user_daily only
        Query sessionsByEvent = new Query(new App("a", ZoneId.of("UTC"), 1800, true), List.of(Metric.SESSIONS), LocalDate.of(2026, 1, 1),
                LocalDate.of(2026, 1, 30), List.of(Dimension.EVENT_NAME), List.of(), List.of(), 100, 0);
        assertFalse(compiler.readsRollup(sessionsByEvent, List.of(Metric.SESSIONS)));
    }

    @Test
    void sessionsReadTheRollupOnlyWhileKeptWithTheAppsTimeout() {
        List<Metric> sessions = List.of(Metric.SESSIONS, Metric.BOUNCE_RATE);
        for (boolean kept : List.of(true, false)) {
            Query query = new Query(new App("a", ZoneId.of("UTC"), 1800, kept), sessions, LocalDate.of(2026, 1, 1),
                    LocalDate.of(2026, 1, 30), List.of(Dimension.TIME_DAY), List.of(), List.of(), 100, 0);
            assertEquals(kept, compiler.readsRollup(query, sessions), "kept " + kept);
            Query events = new Query(query.app(), List.of(Metric.EVENTS), query.from(), query.to(), query.dimensions(), List.of(),
                    List.of(), 100, 0);
            assertTrue(compiler.readsRollup(events, List.of(Metric.EVENTS)), "other metrics do not depend on it");
        }
    }

    @Test
    void partialsReadTheRollupAndBindOnlyTheParametersTheyUse() {
        Query weekly = query(List.of(Metric.NEW_USERS), List.of(Dimension.TIME_WEEK), List.of());
        QueryCompiler.Compiled clipped = compiler.partials(weekly, List.of(Partial.NEW), true, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 20));
        assertTrue(clipped.sql().contains("FROM fact_user_daily r LEFT JOIN LATERAL (SELECT f.first_date, f.first_feed_date, f.first_messenger_date"
                + " FROM user_first_seen f WHERE f.app_id = r.app_id AND f.user_id = r.user_id OFFSET 0)"), clipped.sql());
        assertTrue(clipped.sql().contains("$5"), clipped.sql());
        assertEquals(5, clipped.params().size());
        Query daily = query(List.of(Metric.NEW_USERS), List.of(Dimension.TIME_DAY), List.of());
        QueryCompiler.Compiled perDay = compiler.partials(daily, List.of(Partial.NEW), true, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 20));
        assertFalse(perDay.sql().contains("$4"), perDay.sql());
        assertEquals(3, perDay.params().size());
    }

    @Test
    void sumsAloneAreReadPerGroupCountsOfUsersPerGroupAndUser() {
        Query sums = query(List.of(Metric.EVENTS, Metric.CTR), List.of(Dimension.USER_COUNTRY), List.of());
        String perGroup = compiler.partials(sums, List.of(Partial.EVENTS), false, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 2)).sql();
        assertTrue(perGroup.contains("NULL::text") && perGroup.endsWith("GROUP BY 1"), perGroup);
        String perUser = compiler.partials(sums, List.of(Partial.EVENTS), true, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 2)).sql();
        assertTrue(perUser.contains("e.user_id") && perUser.endsWith("GROUP BY 1, 2"), perUser);
    }
}
