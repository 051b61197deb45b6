package dev.pulse.query;

import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Partial;
import dev.pulse.query.domain.RollupTotals;
import dev.pulse.query.service.UserPartials;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A range's answer is the merge of its parts: users seen in both count once, their sums add up. */
class UserPartialsTest {
    private static final List<Partial> FETCHED = List.of(Partial.EVENTS, Partial.VIEWS, Partial.LIKES, Partial.MESSAGES,
            Partial.REVENUE, Partial.PCT_SUM, Partial.PCT_COUNT, Partial.NEW);

    /** country, user, events, views, likes, messages, revenue, pct_sum, pct_count, new */
    private static List<Object> row(String country, String user, long events, long views, long likes, long messages,
            String revenue, double pctSum, long pctCount, boolean isNew) {
        return new ArrayList<>(Arrays.asList(country, user, events, views, likes, messages, new BigDecimal(revenue), pctSum, pctCount, isNew));
    }

    private static Object metric(Map<List<Object>, RollupTotals> totals, String country, Metric metric) {
        return metric.fromRollup(totals.get(Arrays.asList(country)));
    }

    @Test
    void usersInBothPartsCountOnceAndTheirPartialsMerge() {
        // closed days: u1 only read the feed, u2 only wrote; today: u1 also writes, u3 is new
        UserPartials closed = UserPartials.of(List.of(
                row("DE", "u1", 5, 4, 1, 0, "0", 0.5, 1, false),
                row("DE", "u2", 2, 0, 0, 2, "9.90", 0, 0, false),
                row("FR", "u4", 1, 1, 0, 0, "0", 0, 0, false),
                row(null, "u6", 1, 0, 0, 0, "0", 0, 0, false)), 1, FETCHED);
        UserPartials open = UserPartials.of(List.of(
                row("DE", "u1", 3, 0, 0, 3, "0.10", 0.25, 1, false),
                row("DE", "u3", 1, 1, 1, 0, "0", 0, 0, true)), 1, FETCHED);
        Map<List<Object>, RollupTotals> merged = closed.totals(open);

        assertEquals(3L, metric(merged, "DE", Metric.ACTIVE_USERS));
        assertEquals(11L, metric(merged, "DE", Metric.EVENTS));
        assertEquals(new BigDecimal("10.00"), metric(merged, "DE", Metric.REVENUE));
        assertEquals(1L, metric(merged, "DE", Metric.NEW_USERS));
        assertEquals(2L, metric(merged, "DE", Metric.FEED_USERS));
        assertEquals(2L, metric(merged, "DE", Metric.SENDERS));
        assertEquals(1L, metric(merged, "DE", Metric.BOTH_USERS), "u1 read on closed days and wrote today");
        assertEquals(1L, metric(merged, "DE", Metric.FEED_ONLY_USERS));
        assertEquals(1L, metric(merged, "DE", Metric.MESSENGER_ONLY_USERS));
        assertEquals(2.0 / 5.0, metric(merged, "DE", Metric.CTR));
        assertEquals(new BigDecimal("0.3750"), metric(merged, "DE", Metric.AVG_ENGAGEMENT_PCT));
        assertEquals(1L, metric(merged, "FR", Metric.ACTIVE_USERS));
        assertEquals(0.0, metric(merged, "FR", Metric.CTR));
        assertEquals(1L, metric(merged, null, Metric.EVENTS), "users without a country are a group of their own");
        assertEquals(BigDecimal.ZERO, metric(merged, "FR", Metric.AVG_ENGAGEMENT_PCT));
    }

    @Test
    void mergingIsTheSameAsReadingTheWholeRangeAtOnce() {
        List<List<Object>> closedRows = List.of(row("DE", "u1", 5, 4, 1, 0, "0", 0.5, 1, false), row("DE", "u2", 2, 0, 0, 2, "1", 0, 0, true));
        List<List<Object>> openRows = List.of(row("DE", "u2", 1, 1, 0, 0, "2", 0.2, 1, false), row("DE", "u5", 1, 0, 0, 1, "0", 0, 0, true));
        List<List<Object>> all = new ArrayList<>(closedRows);
        all.addAll(openRows);
        RollupTotals parts = UserPartials.of(closedRows, 1, FETCHED).totals(UserPartials.of(openRows, 1, FETCHED)).get(List.of("DE"));
        RollupTotals whole = UserPartials.of(all, 1, FETCHED).totals(UserPartials.NONE).get(List.of("DE"));
        for (Metric metric : Metric.values()) {
            if (metric.inRollup()) {
                assertEquals(metric.fromRollup(whole), metric.fromRollup(parts), metric.apiName());
            }
        }
    }

    @Test
    void perGroupPartialsWithoutUsersAddUp() {
        UserPartials closed = UserPartials.of(List.of(row("DE", null, 5, 4, 1, 0, "1.5", 0, 0, false)), 1, FETCHED);
        UserPartials open = UserPartials.of(List.of(row("DE", null, 2, 1, 1, 0, "1", 0, 0, false)), 1, FETCHED);
        RollupTotals de = closed.totals(open).get(List.of("DE"));
        assertEquals(7L, Metric.EVENTS.fromRollup(de));
        assertEquals(new BigDecimal("2.5"), Metric.REVENUE.fromRollup(de));
        assertEquals(2.0 / 5.0, Metric.CTR.fromRollup(de));
    }
}
