package dev.pulse.query;

import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.service.QueryCompiler;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which store answers which query: the rollup wherever it holds the data, the raw store otherwise. */
class QueryCompilerTest {
    private static final Set<Metric> RAW_ONLY = Set.of(Metric.POSTS, Metric.RECEIVERS, Metric.CONNECTIONS, Metric.WAU, Metric.MAU);
    private final QueryCompiler compiler = new QueryCompiler();

    private static Query query(List<Metric> metrics, List<Dimension> dimensions, List<Filter> filters) {
        return new Query(new App("a", ZoneId.of("UTC")), metrics, LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 30),
                dimensions, filters, List.of(), 100, 0);
    }

    @Test
    void everyMetricButDistinctPostsReceiversConnectionsAndRollingHasARollupForm() {
        for (Metric metric : Metric.values()) {
            assertEquals(!RAW_ONLY.contains(metric), metric.rollupSql() != null, metric.apiName());
        }
    }

    @Test
    void timeAndUserQueriesReadTheRollupOthersTheRawStore() {
        List<Metric> rollupMetrics = Arrays.stream(Metric.values()).filter(m -> m.rollupSql() != null).toList();
        String rollup = compiler.aggregate(query(rollupMetrics, List.of(Dimension.TIME_DAY, Dimension.USER_COUNTRY),
                List.of(new Filter("is", Dimension.USER_GENDER, List.of("1")))), rollupMetrics).sql();
        assertTrue(rollup.contains("FROM fact_user_daily e"), rollup);
        String withPosts = compiler.aggregate(query(List.of(Metric.EVENTS, Metric.POSTS), List.of(Dimension.TIME_DAY), List.of()),
                List.of(Metric.EVENTS, Metric.POSTS)).sql();
        assertTrue(withPosts.contains("FROM events e"), withPosts);
        String byEvent = compiler.aggregate(query(List.of(Metric.EVENTS), List.of(Dimension.EVENT_NAME), List.of()), List.of(Metric.EVENTS)).sql();
        assertTrue(byEvent.contains("FROM events e"), byEvent);
        String filteredByDevice = compiler.aggregate(query(List.of(Metric.EVENTS), List.of(Dimension.TIME_DAY),
                List.of(new Filter("is", Dimension.DEVICE, List.of("tv")))), List.of(Metric.EVENTS)).sql();
        assertTrue(filteredByDevice.contains("FROM events e"), filteredByDevice);
    }
}
