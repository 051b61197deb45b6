package dev.pulse.query.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.pulse.query.config.QueryConfig;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Order;
import dev.pulse.query.domain.Query;
import dev.pulse.web.problem.ProblemException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/query} bodies, with ranges of at most 31 days and pages of at most 100 rows (not the defaults). */
class QueryParserTest {
    private static final int MAX_RANGE_DAYS = 31;
    private static final int MAX_LIMIT = 100;
    private static final QueryParser PARSER = new QueryParser(new SmallRyeConfigBuilder()
            .withMapping(QueryConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withDefaultValue("pulse.query.max-range-days", Integer.toString(MAX_RANGE_DAYS))
            .withDefaultValue("pulse.query.max-limit", Integer.toString(MAX_LIMIT))
            .withDefaultValue("pulse.query.statement-timeout-ms", "5000")
            .withDefaultValue("pulse.query.lock-timeout-ms", "1000")
            .build()
            .getConfigMapping(QueryConfig.class));
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final App APP = new App("app", ZoneOffset.UTC);
    /** Metrics and a fixed range: each test adds or replaces what it is about. */
    private static final String BASE = "\"metrics\":[\"events\"],\"date_range\":[\"2026-11-01\",\"2026-11-07\"]";

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Query parse(String members) {
        return PARSER.parse(json("{" + members + "}"), APP);
    }

    /** Asserts that the body is refused with 400 naming {@code field}. */
    private static void refused(String members, String field) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(members), members);
        assertEquals(400, e.status(), members);
        assertEquals(field, e.toProblem().field(), members);
    }

    @Test
    void aFullQueryIsParsedAsWritten() {
        Query query = parse("\"metrics\":[\"events\",\"active_users\"],\"date_range\":[\"2026-11-01\",\"2026-11-30\"],"
                + "\"dimensions\":[\"time:day\",\"user:country\"],"
                + "\"filters\":[[\"is\",\"device\",[\"mobile\",\"tv\"]],[\"contains\",\"page:host\",[\"example\"]],"
                + "[\"is_not\",\"user:age\",[42]]],"
                + "\"order_by\":[[\"events\",\"desc\"],[\"time:day\",\"asc\"]],\"limit\":50,\"offset\":10");
        assertSame(APP, query.app());
        assertEquals(List.of(Metric.EVENTS, Metric.ACTIVE_USERS), query.metrics());
        assertEquals(LocalDate.of(2026, 11, 1), query.from());
        assertEquals(LocalDate.of(2026, 11, 30), query.to());
        assertEquals(List.of(Dimension.TIME_DAY, Dimension.USER_COUNTRY), query.dimensions());
        // a number as a filter value means its text, like ids in events
        assertEquals(List.of(new Filter("is", Dimension.DEVICE, List.of("mobile", "tv")),
                new Filter("contains", Dimension.PAGE_HOST, List.of("example")),
                new Filter("is_not", Dimension.USER_AGE, List.of("42"))), query.filters());
        assertEquals(List.of(new Order("events", true), new Order("time:day", false)), query.orderBy());
        assertEquals(50, query.limit());
        assertEquals(10, query.offset());
    }

    @Test
    void absentPartsTakeTheirDefaults() {
        Query query = parse(BASE + ",\"dimensions\":null,\"filters\":null,\"order_by\":null,\"limit\":null,\"offset\":null");
        assertEquals(List.of(), query.dimensions());
        assertEquals(List.of(), query.filters());
        assertEquals(List.of(), query.orderBy());
        // no limit means the largest page
        assertEquals(MAX_LIMIT, query.limit());
        assertEquals(0, query.offset());
    }

    @Test
    void theBodysAppChangesNothing() {
        // the app is the read token's: a body naming another one still reads the token's app
        assertSame(APP, parse(BASE + ",\"app\":\"someone-else\"").app());
    }

    @Test
    void namedRangesEndTodayInTheAppsCalendar() {
        // UTC+14 and UTC-11 are 25 hours apart: at any instant their dates differ (by one or two days)
        for (String zone : List.of("Pacific/Kiritimati", "Pacific/Pago_Pago")) {
            ZoneId id = ZoneId.of(zone);
            App app = new App("app", id);
            LocalDate before = LocalDate.now(id);
            Query today = PARSER.parse(json("{\"metrics\":[\"events\"],\"date_range\":\"today\"}"), app);
            Query week = PARSER.parse(json("{\"metrics\":[\"events\"],\"date_range\":\"7d\"}"), app);
            Query month = PARSER.parse(json("{\"metrics\":[\"events\"],\"date_range\":\"30d\"}"), app);
            LocalDate after = LocalDate.now(id);
            // midnight may pass in between: then 'today' is either day, and the check is for the day each query took
            LocalDate end = today.to();
            assertTrue(end.equals(before) || end.equals(after), zone + ": " + end);
            assertEquals(end, today.from());
            // 7 days ending today start 6 days before it, 30 days 29 days before
            assertEquals(week.to().minusDays(6), week.from());
            assertEquals(month.to().minusDays(29), month.from());
            assertTrue(week.to().equals(before) || week.to().equals(after), zone + ": " + week.to());
        }
        LocalDate east = PARSER.parse(json("{\"metrics\":[\"events\"],\"date_range\":\"today\"}"),
                new App("app", ZoneId.of("Pacific/Kiritimati"))).to();
        LocalDate west = PARSER.parse(json("{\"metrics\":[\"events\"],\"date_range\":\"today\"}"),
                new App("app", ZoneId.of("Pacific/Pago_Pago"))).to();
        assertTrue(east.isAfter(west), east + " vs " + west);
    }

    @Test
    void aRangeOfExactlyTheLongestSpanIsAccepted() {
        // January 1 to 31 is 31 days, both ends included
        Query query = parse("\"metrics\":[\"events\"],\"date_range\":[\"2026-01-01\",\"2026-01-31\"]");
        assertEquals(LocalDate.of(2026, 1, 31), query.to());
        assertEquals(LocalDate.of(2026, 1, 1), parse("\"metrics\":[\"events\"],\"date_range\":[\"2026-01-01\",\"2026-01-01\"]").to());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // one day more than 31
            "[\"2026-01-01\",\"2026-02-01\"]|date_range",
            "[\"1970-01-01\",\"9999-12-31\"]|date_range",
            "[\"2026-01-02\",\"2026-01-01\"]|date_range",
            "\"yesterday\"|date_range",
            "\"\"|date_range",
            "null|date_range",
            "[]|date_range",
            "[\"2026-01-01\"]|date_range",
            "[\"2026-01-01\",\"2026-01-02\",\"2026-01-03\"]|date_range",
            "{\"from\":\"2026-01-01\"}|date_range",
            "7|date_range",
            // February 2026 has 28 days
            "[\"2026-02-29\",\"2026-03-01\"]|date_range[0]",
            "[\"2026-1-1\",\"2026-01-02\"]|date_range[0]",
            "[\"1969-12-31\",\"1970-01-01\"]|date_range[0]",
            "[20260101,\"2026-01-02\"]|date_range[0]",
            "[\"2026-01-01\",null]|date_range[1]",
            "[\"9999-12-31\",\"+10000-01-01\"]|date_range[1]",
            "[\"2026-01-01\",\"2026-01-02T00:00:00Z\"]|date_range[1]"})
    void aBadDateRangeIsRefusedNamingWhere(String range, String field) {
        refused("\"metrics\":[\"events\"],\"date_range\":" + range, field);
    }

    @Test
    void aMissingDateRangeIsRefused() {
        refused("\"metrics\":[\"events\"]", "date_range");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"metrics\":[\"events\",\"pageviews\"]|metrics[1]",
            "\"metrics\":[\"events\",\"events\"]|metrics[1]",
            "\"metrics\":[\"EVENTS\"]|metrics[0]",
            "\"metrics\":[{\"name\":\"events\"}]|metrics[0]",
            "\"metrics\":[]|metrics",
            "\"metrics\":\"events\"|metrics",
            "\"metrics\":null|metrics"})
    void aBadMetricIsRefusedNamingIt(String metrics, String field) {
        refused(metrics + ",\"date_range\":[\"2026-11-01\",\"2026-11-07\"]", field);
    }

    @Test
    void missingMetricsAreRefused() {
        refused("\"date_range\":[\"2026-11-01\",\"2026-11-07\"]", "metrics");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"dimensions\":[\"user:country\",\"user:planet\"]|dimensions[1]",
            "\"dimensions\":[\"time:hour\"]|dimensions[0]",
            "\"dimensions\":[\"device\",\"device\"]|dimensions[1]",
            "\"dimensions\":[\"time:day\",\"time:week\"]|dimensions[1]",
            "\"dimensions\":\"device\"|dimensions"})
    void aBadDimensionIsRefusedNamingIt(String dimensions, String field) {
        refused(BASE + "," + dimensions, field);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"colour\":\"red\"|colour",
            "\"Metrics\":[\"events\"]|Metrics",
            "\"date-range\":\"today\"|date-range"})
    void anUnknownFieldIsRefusedNamingIt(String member, String field) {
        refused(BASE + "," + member, field);
    }

    @Test
    void rollingMetricsArePerDay() {
        assertEquals(List.of(Metric.WAU), parse("\"metrics\":[\"wau\"],\"date_range\":[\"2026-11-01\",\"2026-11-07\"],"
                + "\"dimensions\":[\"time:day\"]").metrics());
        refused("\"metrics\":[\"wau\"],\"date_range\":[\"2026-11-01\",\"2026-11-07\"],\"dimensions\":[\"time:week\"]", "metrics");
        refused("\"metrics\":[\"events\",\"mau\"],\"date_range\":[\"2026-11-01\",\"2026-11-07\"],\"dimensions\":[\"time:month\"]",
                "metrics");
    }

    @Test
    void metricsOfSevenDaysEarlierCannotGoByMonth() {
        assertEquals(List.of(Dimension.TIME_WEEK), parse("\"metrics\":[\"new_users_7_days_ago\"],"
                + "\"date_range\":[\"2026-11-01\",\"2026-11-07\"],\"dimensions\":[\"time:week\"]").dimensions());
        refused("\"metrics\":[\"new_users_7_days_ago\"],\"date_range\":[\"2026-11-01\",\"2026-11-07\"],"
                + "\"dimensions\":[\"time:month\"]", "metrics");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[[\"equals\",\"device\",[\"tv\"]]]|filters[0]",
            "[[\"IS\",\"device\",[\"tv\"]]]|filters[0]",
            "[[\"is\",\"user:planet\",[\"mars\"]]]|filters[0]",
            "[[\"is\",\"device\",[]]]|filters[0]",
            "[[\"is\",\"device\",\"tv\"]]|filters[0]",
            "[[\"is\",\"device\"]]|filters[0]",
            "[[\"is\",\"device\",[\"tv\"],\"extra\"]]|filters[0]",
            "[[\"is\",\"device\",[\"tv\"]],\"device=tv\"]|filters[1]",
            "[[\"is\",\"device\",[\"tv\",{\"a\":1}]]]|filters[0][2][1]",
            "[[\"is\",\"device\",[[\"tv\"]]]]|filters[0][2][0]",
            "[[\"is\",\"device\",[null]]]|filters[0][2][0]",
            "[[\"is\",\"device\",[\"tv\",\"t\\u0000v\"]]]|filters[0][2][1]",
            "[[\"is\",\"device\",[\"\\ud800\"]]]|filters[0][2][0]",
            "{\"is\":[\"device\",[\"tv\"]]}|filters"})
    void aBadFilterIsRefusedNamingWhere(String filters, String field) {
        refused(BASE + ",\"filters\":" + filters, field);
    }

    @Test
    void filtersAreBounded() {
        // at most 32 filters of at most 1000 values each, and values as long as stored text (2048 characters)
        assertEquals(32, parse(BASE + ",\"filters\":" + filters(32, 1)).filters().size());
        refused(BASE + ",\"filters\":" + filters(33, 1), "filters");
        assertEquals(1000, parse(BASE + ",\"filters\":" + filters(1, 1000)).filters().get(0).values().size());
        refused(BASE + ",\"filters\":" + filters(1, 1001), "filters[0]");
        String longest = "x".repeat(2048);
        assertEquals(List.of(longest), parse(BASE + ",\"filters\":[[\"is\",\"device\",[\"" + longest + "\"]]]")
                .filters().get(0).values());
        refused(BASE + ",\"filters\":[[\"is\",\"device\",[\"" + longest + "x\"]]]", "filters[0][2][0]");
    }

    /** {@code count} filters on device, each with {@code values} distinct values. */
    private static String filters(int count, int values) {
        ArrayNode filters = MAPPER.createArrayNode();
        for (int i = 0; i < count; i++) {
            ArrayNode filter = filters.addArray().add("is").add("device");
            ArrayNode list = filter.addArray();
            for (int j = 0; j < values; j++) {
                list.add("v" + j);
            }
        }
        return filters.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[[\"active_users\",\"desc\"]]|order_by[0]",
            "[[\"device\",\"asc\"]]|order_by[0]",
            "[[\"events\",\"up\"]]|order_by[0]",
            "[[\"events\",\"DESC\"]]|order_by[0]",
            "[[\"events\"]]|order_by[0]",
            "[[\"events\",\"desc\"],[\"events\",\"asc\"]]|order_by[1]",
            "[\"events\"]|order_by[0]",
            "\"events desc\"|order_by"})
    void aBadOrderIsRefusedNamingIt(String orderBy, String field) {
        refused(BASE + ",\"order_by\":" + orderBy, field);
    }

    @Test
    void limitAndOffsetAreBounded() {
        assertEquals(1, parse(BASE + ",\"limit\":1").limit());
        assertEquals(MAX_LIMIT, parse(BASE + ",\"limit\":" + MAX_LIMIT).limit());
        assertEquals(Integer.MAX_VALUE, parse(BASE + ",\"offset\":" + Integer.MAX_VALUE).offset());
        // 2.0 is an integer written as a decimal: it is exactly 2
        assertEquals(2, parse(BASE + ",\"limit\":2.0").limit());
        for (String limit : List.of("0", "-1", Integer.toString(MAX_LIMIT + 1), "1.5", "\"10\"", "true", "[10]", "1e100")) {
            refused(BASE + ",\"limit\":" + limit, "limit");
        }
        for (String offset : List.of("-1", "2147483648", "0.5", "\"0\"")) {
            refused(BASE + ",\"offset\":" + offset, "offset");
        }
    }

    @Test
    void everyRefusalNamesItsFieldInTheDetailToo() {
        ProblemException e = assertThrows(ProblemException.class,
                () -> parse("\"metrics\":[\"events\",\"nope\"],\"date_range\":\"today\""));
        assertTrue(e.getMessage().startsWith("metrics[1]: "), e.getMessage());
        ProblemException unknown = assertThrows(ProblemException.class, () -> parse(BASE + ",\"colour\":\"red\""));
        assertTrue(unknown.getMessage().startsWith("colour: "), unknown.getMessage());
    }
}
