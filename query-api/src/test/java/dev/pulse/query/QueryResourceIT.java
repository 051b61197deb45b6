package dev.pulse.query;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import dev.pulse.query.domain.App;
import dev.pulse.query.domain.Dimension;
import dev.pulse.query.domain.Filter;
import dev.pulse.query.domain.Metric;
import dev.pulse.query.domain.Query;
import dev.pulse.query.testing.RawStoreAnswer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every metric against an independent computation over the fixture, in a non-UTC timezone. */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
class QueryResourceIT {
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    // spans the DST change of 2026-03-08: that day has 23 hours, so the last events fall after the range
    private static final LocalDate FIRST = LocalDate.of(2026, 3, 5);
    private static final int DAYS = 10;
    private static String app;
    private static String token;
    private static QueryFixture data;

    @BeforeAll
    static void load() {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        data = new QueryFixture(app, ZONE, FIRST, DAYS, 11);
    }

    /** The answer over the fixture's days equals the raw store's SQL (RawStoreAnswer). */
    private static Set<Metric> assertAnswersEqualTheRawStore(List<Metric> metrics, List<Dimension> dimensions, List<Filter> filters) throws Exception {
        return assertAnswersEqualTheRawStore(token, new Query(new App(app, ZONE), metrics, FIRST, FIRST.plusDays(DAYS - 1), dimensions, filters, List.of(),
                Integer.MAX_VALUE, 0));
    }

    /** @return the metrics the question exercised (not zero everywhere) */
    private static Set<Metric> assertAnswersEqualTheRawStore(String readToken, Query question) throws Exception {
        String answer = given().header("Authorization", "Bearer " + readToken).contentType(ContentType.JSON).body(RawStoreAnswer.body(question))
                .when().post("/v1/query").then().statusCode(200).extract().asString();
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection()) {
            return RawStoreAnswer.assertAnswers(c, question, answer, question.dimensions() + " " + question.filters() + " " + question.from() + ".." + question.to());
        }
    }

    private static JsonPath query(String body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/query").then().statusCode(200).extract().jsonPath();
    }

    private static String range() {
        return "[\"" + FIRST + "\",\"" + FIRST.plusDays(DAYS - 1) + "\"]";
    }

    @Test
    void dailySeriesMatchesIndependentComputation() {
        JsonPath answer = query("{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\",\"views\",\"likes\",\"messages\","
                + "\"senders\",\"receivers\",\"connections\",\"new_users\",\"posts\",\"signups\",\"purchases\",\"page_views\",\"feed_users\"],"
                + "\"date_range\":" + range() + ",\"dimensions\":[\"time:day\"]}");
        assertEquals(DAYS, answer.getList("results").size(), "every day present");
        Map<String, Set<String>> firstDay = new HashMap<>();
        Map<String, LocalDate> first = new HashMap<>();
        data.events.forEach(e -> first.merge(e.user(), e.date(), (a, b) -> a.isBefore(b) ? a : b));
        first.forEach((u, d) -> firstDay.computeIfAbsent(d.toString(), k -> new HashSet<>()).add(u));
        for (int i = 0; i < DAYS; i++) {
            String day = answer.getString("results[" + i + "].dimensions[0]");
            List<QueryFixture.Ev> of = data.events.stream().filter(e -> e.date().toString().equals(day)).toList();
            List<Number> m = answer.getList("results[" + i + "].metrics");
            assertEquals(of.stream().map(QueryFixture.Ev::user).distinct().count(), m.get(0).longValue(), "active_users " + day);
            assertEquals(of.size(), m.get(1).longValue(), "events " + day);
            assertEquals(count(of, "feed.view"), m.get(2).longValue(), "views " + day);
            assertEquals(count(of, "feed.like"), m.get(3).longValue(), "likes " + day);
            List<QueryFixture.Ev> msgs = of.stream().filter(e -> e.event().equals("message.sent")).toList();
            assertEquals(msgs.size(), m.get(4).longValue());
            assertEquals(msgs.stream().map(QueryFixture.Ev::user).distinct().count(), m.get(5).longValue(), "senders");
            assertEquals(msgs.stream().map(QueryFixture.Ev::receiver).distinct().count(), m.get(6).longValue(), "receivers");
            assertEquals(msgs.stream().map(e -> e.user() + ">" + e.receiver()).distinct().count(), m.get(7).longValue(), "connections");
            assertEquals(firstDay.getOrDefault(day, Set.of()).size(), m.get(8).longValue(), "new_users " + day);
            assertEquals(of.stream().map(QueryFixture.Ev::postId).filter(Objects::nonNull).distinct().count(), m.get(9).longValue(), "posts");
            assertEquals(count(of, "signup"), m.get(10).longValue());
            assertEquals(count(of, "purchase"), m.get(11).longValue());
            assertEquals(count(of, "page_view"), m.get(12).longValue());
            assertEquals(of.stream().filter(e -> e.event().startsWith("feed.")).map(QueryFixture.Ev::user).distinct().count(), m.get(13).longValue());
        }
    }

    /** Distinct posts by event-side dimensions, and per country with one filtered out, from the event rollup: each against the fixture. */
    @Test
    void postsByEventSideDimensionsFromTheEventRollup() {
        List<QueryFixture.Ev> inRange = data.events.stream().filter(e -> e.date().isBefore(FIRST.plusDays(DAYS))).toList();
        Map<String, java.util.function.Function<QueryFixture.Ev, Object>> groups = Map.of("\"dimensions\":[\"event:name\"]", QueryFixture.Ev::event,
                "\"dimensions\":[\"device\"]", QueryFixture.Ev::device, "\"dimensions\":[\"post:id\"]", QueryFixture.Ev::postId,
                "\"dimensions\":[\"user:country\"],\"filters\":[[\"is_not\",\"device\",[\"mobile\"]]]", QueryFixture.Ev::country);
        groups.forEach((shape, value) -> {
            Map<String, Long> expected = new TreeMap<>();
            inRange.stream().filter(e -> !shape.contains("filters") || !e.device().equals("mobile"))
                    .collect(Collectors.groupingBy(e -> String.valueOf(value.apply(e))))
                    .forEach((group, of) -> expected.put(group, of.stream().map(QueryFixture.Ev::postId).filter(Objects::nonNull).distinct().count()));
            JsonPath answer = query("{\"app\":\"" + app + "\",\"metrics\":[\"posts\"],\"date_range\":" + range() + "," + shape + "}");
            Map<String, Long> actual = new TreeMap<>();
            for (Map<String, Object> row : answer.<Map<String, Object>>getList("results")) {
                actual.put(String.valueOf(((List<?>) row.get("dimensions")).get(0)), ((Number) ((List<?>) row.get("metrics")).get(0)).longValue());
            }
            assertEquals(expected, actual, shape);
            assertTrue(actual.values().stream().mapToLong(Long::longValue).sum() > 1, shape);
        });
    }

    /**
     * The distinct counts come from the event rollup and the daily facts, not the raw store: with an app's raw events
     * gone, its daily posts, receivers, connections and new feed and messenger users still equal the fixture's.
     */
    @Test
    void distinctCountsAreAnsweredWithoutTheRawStore() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
        QueryFixture fixture = new QueryFixture(other, ZONE, FIRST, 4, 24);
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            assertEquals(fixture.events.size(), s.executeUpdate("DELETE FROM events WHERE app_id = '" + other + "'"));
        }
        JsonPath answer = given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON).body("{\"app\":\"" + other
                + "\",\"metrics\":[\"posts\",\"receivers\",\"connections\",\"new_feed_users\",\"new_messenger_users\"],\"date_range\":[\""
                + FIRST + "\",\"" + FIRST.plusDays(3) + "\"],\"dimensions\":[\"time:day\"]}").when().post("/v1/query").then().statusCode(200)
                .extract().jsonPath();
        java.util.function.Predicate<QueryFixture.Ev> feed = e -> e.event().startsWith("feed.");
        java.util.function.Predicate<QueryFixture.Ev> messenger = e -> e.event().equals("message.sent");
        Map<String, List<Long>> expected = new TreeMap<>();
        for (int d = 0; d < 4; d++) {
            LocalDate day = FIRST.plusDays(d);
            List<QueryFixture.Ev> of = fixture.events.stream().filter(e -> e.date().equals(day)).toList();
            List<QueryFixture.Ev> sent = of.stream().filter(messenger).toList();
            expected.put(day.toString(), List.of(of.stream().map(QueryFixture.Ev::postId).filter(Objects::nonNull).distinct().count(),
                    sent.stream().map(QueryFixture.Ev::receiver).distinct().count(), sent.stream().map(e -> e.user() + ">" + e.receiver()).distinct().count(),
                    of.stream().filter(feed).map(QueryFixture.Ev::user).filter(u -> day.equals(fixture.firstDay(u, feed))).distinct().count(),
                    sent.stream().map(QueryFixture.Ev::user).filter(u -> day.equals(fixture.firstDay(u, messenger))).distinct().count()));
        }
        Map<String, List<Long>> actual = new TreeMap<>();
        for (Map<String, Object> row : answer.<Map<String, Object>>getList("results")) {
            actual.put((String) ((List<?>) row.get("dimensions")).get(0), ((List<?>) row.get("metrics")).stream().map(n -> ((Number) n).longValue()).toList());
        }
        assertEquals(expected, actual);
        assertTrue(expected.values().stream().allMatch(f -> f.get(0) > 0 && f.get(1) > 0 && f.get(2) > 0), "the fixture exercises them");
        assertTrue(expected.values().stream().anyMatch(f -> f.get(3) > 0 && f.get(4) > 0), "the fixture exercises them");
    }

    /**
     * A daily series of posts, receivers and connections over days that are over keeps each day's counts under that
     * day's version: after a change to one day only that day is read again (the rows of another, tampered, still show as
     * cached). Without filters the series reads the daily facts, with one the event rollup: each is tampered with in turn.
     */
    @Test
    void aDailySeriesOfDistinctCountsIsCachedPerDay() throws Exception {
        Map<String, List<String>> tampered = new java.util.LinkedHashMap<>();
        tampered.put("", List.of("DELETE FROM fact_daily_posts WHERE app_id = '%1$s' AND event_date <= date '%2$s'",
                "DELETE FROM fact_user_connections WHERE app_id = '%1$s' AND event_date <= date '%2$s'"));
        tampered.put(",\"filters\":[[\"is_not\",\"event:name\",[\"level.up\"]]]", List.of("DELETE FROM fact_user_event_daily"
                + " WHERE app_id = '%1$s' AND event_date <= date '%2$s' AND (post_id IS NOT NULL OR receiver_id IS NOT NULL)"));
        for (Map.Entry<String, List<String>> variant : tampered.entrySet()) {
            String other = TestData.newAppId();
            String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
            new QueryFixture(other, ZONE, FIRST, 3, 25);
            java.util.function.Supplier<Map<String, List<Long>>> ask = () -> {
                Map<String, List<Long>> days = new TreeMap<>();
                for (Map<String, Object> row : given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                        .body("{\"app\":\"" + other + "\",\"metrics\":[\"posts\",\"receivers\",\"connections\"],\"date_range\":[\"" + FIRST + "\",\""
                                + FIRST.plusDays(2) + "\"],\"dimensions\":[\"time:day\"]" + variant.getKey() + "}").when().post("/v1/query").then()
                        .statusCode(200).extract().jsonPath().<Map<String, Object>>getList("results")) {
                    days.put((String) ((List<?>) row.get("dimensions")).get(0), ((List<?>) row.get("metrics")).stream().map(n -> ((Number) n).longValue()).toList());
                }
                return days;
            };
            Map<String, List<Long>> before = ask.get();
            assertTrue(before.values().stream().allMatch(f -> f.stream().allMatch(n -> n > 0)), before.toString());
            try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
                // the first two days' posts and messages gone from what answers the series, and only the second day's version bumped
                for (String statement : variant.getValue()) {
                    s.executeUpdate(statement.formatted(other, FIRST.plusDays(1)));
                }
                s.executeUpdate("INSERT INTO closed_day_changes VALUES ('" + other + "', date '" + FIRST.plusDays(1) + "', 1)"
                        + " ON CONFLICT (app_id, event_date) DO UPDATE SET version = closed_day_changes.version + 1");
            }
            Map<String, List<Long>> after = ask.get();
            assertEquals(before.get(FIRST.toString()), after.get(FIRST.toString()), "the first day's counts, cached under its version" + variant.getKey());
            assertEquals(List.of(0L, 0L, 0L), after.get(FIRST.plusDays(1).toString()), "the second day's, read again" + variant.getKey());
            assertEquals(before.get(FIRST.plusDays(2).toString()), after.get(FIRST.plusDays(2).toString()));
        }
    }

    /**
     * Retention deletes a day's user rows (the event rollup's, the connections') and keeps fact_daily_posts: the day's
     * posts then count no more in a series or a total by time than in a breakdown from the event rollup.
     */
    @Test
    void aDayRetentionTookTheUsersOfCountsNoPosts() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
        QueryFixture fixture = new QueryFixture(other, ZONE, FIRST, 3, 27);
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String table : List.of("events", "fact_user_daily", "fact_user_event_daily", "fact_user_connections")) {
                s.executeUpdate("DELETE FROM " + table + " WHERE app_id = '" + other + "' AND event_date = date '" + FIRST + "'");
            }
        }
        java.util.function.BiFunction<String, String, List<Map<String, Object>>> ask = (dimensions, metrics) -> given()
                .header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                .body("{\"app\":\"" + other + "\",\"metrics\":[" + metrics + "],\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(2) + "\"]"
                        + dimensions + "}").when().post("/v1/query").then().statusCode(200).extract().jsonPath().getList("results");
        List<QueryFixture.Ev> kept = fixture.events.stream().filter(e -> e.date().isAfter(FIRST) && e.date().isBefore(FIRST.plusDays(3))).toList();
        Map<String, Long> expected = new TreeMap<>();
        for (int d = 0; d < 3; d++) {
            LocalDate day = FIRST.plusDays(d);
            expected.put(day.toString(), kept.stream().filter(e -> e.date().equals(day)).map(QueryFixture.Ev::postId).filter(Objects::nonNull).distinct().count());
        }
        Map<String, Long> series = new TreeMap<>();
        for (Map<String, Object> row : ask.apply(",\"dimensions\":[\"time:day\"]", "\"posts\"")) {
            series.put((String) ((List<?>) row.get("dimensions")).get(0), ((Number) ((List<?>) row.get("metrics")).get(0)).longValue());
        }
        assertEquals(expected, series);
        assertEquals(0L, expected.get(FIRST.toString()));
        assertTrue(expected.values().stream().skip(1).allMatch(n -> n > 0), "the fixture exercises them");
        long total = kept.stream().map(QueryFixture.Ev::postId).filter(Objects::nonNull).distinct().count();
        assertEquals(total, ((Number) ((List<?>) ask.apply("", "\"posts\"").get(0).get("metrics")).get(0)).longValue(), "the range's posts");
    }

    @Test
    void totalsBreakdownsFiltersAndRatios() {
        List<QueryFixture.Ev> inRange = data.events.stream().filter(e -> e.date().isBefore(FIRST.plusDays(DAYS))).toList();
        JsonPath totals = query("{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"revenue\",\"ctr\"],\"date_range\":" + range() + "}");
        assertEquals(1, totals.getList("results").size());
        assertEquals(inRange.stream().map(QueryFixture.Ev::user).distinct().count(), totals.getLong("results[0].metrics[0]"));
        assertEquals(inRange.stream().mapToDouble(QueryFixture.Ev::revenue).sum(), totals.getDouble("results[0].metrics[1]"), 1e-2);
        double ctr = (double) count(inRange, "feed.like") / count(inRange, "feed.view");
        // JsonPath reads JSON numbers as float
        assertEquals(ctr, totals.getDouble("results[0].metrics[2]"), 1e-5);

        JsonPath byCountry = query("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":" + range()
                + ",\"dimensions\":[\"user:country\"],\"filters\":[[\"is_not\",\"user:country\",[\"FR\"]]],\"order_by\":[[\"events\",\"desc\"]]}");
        Map<String, Long> expected = inRange.stream().filter(e -> !"FR".equals(e.country()))
                .collect(Collectors.groupingBy(e -> String.valueOf(e.country()), TreeMap::new, Collectors.counting()));
        Map<String, Long> actual = new TreeMap<>();
        for (int i = 0; i < byCountry.getList("results").size(); i++) {
            actual.put(String.valueOf(byCountry.getString("results[" + i + "].dimensions[0]")), byCountry.getLong("results[" + i + "].metrics[0]"));
        }
        assertEquals(expected, actual);
        assertEquals(expected.size(), byCountry.getInt("meta.total_rows"));
    }

    /** Revenue figures per country, from the rollup, exactly. */
    @Test
    void averageOrderValueAndPayingUsers() throws Exception {
        List<QueryFixture.Ev> purchases = data.events.stream().filter(e -> e.date().isBefore(FIRST.plusDays(DAYS)) && e.event().equals("purchase")).toList();
        Map<String, List<QueryFixture.Ev>> byCountry = purchases.stream().collect(Collectors.groupingBy(e -> String.valueOf(e.country())));
        String metrics = "\"avg_order_value\",\"paying_users\"";
        String body = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{\"app\":\"" + app
                + "\",\"metrics\":[" + metrics + "],\"date_range\":" + range() + ",\"dimensions\":[\"user:country\"]}")
                .when().post("/v1/query").then().statusCode(200).extract().asString();
        Map<String, List<BigDecimal>> actual = new TreeMap<>();
        // read as decimals: a float would not tell 4 decimal places apart
        for (JsonNode row : new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(body).get("results")) {
            BigDecimal average = row.at("/metrics/0").decimalValue();
            BigDecimal paying = row.at("/metrics/1").decimalValue();
            if (paying.signum() > 0) {
                actual.put(row.at("/dimensions/0").isNull() ? "null" : row.at("/dimensions/0").asText(), List.of(average, paying));
            } else {
                assertEquals(0, average.signum(), "no order, no average");
            }
        }
        Map<String, List<BigDecimal>> expected = new TreeMap<>();
        byCountry.forEach((country, orders) -> {
            BigDecimal revenue = orders.stream().map(e -> BigDecimal.valueOf(e.revenue())).reduce(BigDecimal.ZERO, BigDecimal::add);
            expected.put(country, List.of(revenue.divide(BigDecimal.valueOf(orders.size()), 4, RoundingMode.HALF_UP),
                    BigDecimal.valueOf(orders.stream().map(QueryFixture.Ev::user).distinct().count())));
        });
        assertEquals(expected.keySet(), actual.keySet(), metrics);
        expected.forEach((country, figures) -> {
            assertEquals(0, figures.get(0).compareTo(actual.get(country).get(0)), "avg_order_value " + country + " " + metrics);
            assertEquals(0, figures.get(1).compareTo(actual.get(country).get(1)), "paying_users " + country + " " + metrics);
        });
    }

    @Test
    void postBreakdownByDayEqualsItsDefinitionOverTheEvents() throws Exception {
        assertPostBreakdown(app, token, data.events, FIRST, FIRST.plusDays(DAYS - 1));
        // and where each user views and likes each post many times a day (so the first like and first view matter)
        String dense = TestData.newAppId();
        String denseToken = TestData.createApp(PulseInfrastructure.current().dataSource(), dense, ZONE.getId());
        QueryFixture many = new QueryFixture(dense, ZONE, FIRST, 2, 13, 3, 2);
        assertPostBreakdown(dense, denseToken, many.events, FIRST, FIRST.plusDays(1));
        // by device, next to rollup metrics: a view on one device and the like on another count in neither group,
        // as under a filter on either device
        String range = "[\"" + FIRST + "\",\"" + FIRST.plusDays(1) + "\"]";
        JsonPath byDevice = given().header("Authorization", "Bearer " + denseToken).contentType(ContentType.JSON)
                .body("{\"app\":\"" + dense + "\",\"metrics\":[\"active_users\",\"avg_view_to_like_seconds\"],\"date_range\":" + range
                        + ",\"dimensions\":[\"device\"]}").when().post("/v1/query").then().statusCode(200).extract().jsonPath();
        for (String device : List.of("mobile", "desktop")) {
            List<QueryFixture.Ev> on = many.events.stream().filter(e -> e.device().equals(device) && !e.date().isAfter(FIRST.plusDays(1))).toList();
            Map<String, List<QueryFixture.Ev>> byUserDayPost = on.stream().filter(e -> e.postId() != null)
                    .collect(Collectors.groupingBy(e -> e.user() + " " + e.date() + " " + e.postId()));
            List<Long> gaps = new ArrayList<>();
            byUserDayPost.values().forEach(of -> of.stream().filter(e -> e.event().equals("feed.like")).map(QueryFixture.Ev::ts).min(Instant::compareTo)
                    .ifPresent(like -> of.stream().filter(e -> e.event().equals("feed.view")).map(QueryFixture.Ev::ts).min(Instant::compareTo)
                            .filter(view -> !like.isBefore(view)).ifPresent(view -> gaps.add(like.getEpochSecond() - view.getEpochSecond()))));
            double expected = BigDecimal.valueOf(gaps.stream().mapToLong(Long::longValue).sum())
                    .divide(BigDecimal.valueOf(gaps.size()), 4, RoundingMode.HALF_UP).doubleValue();
            int row = byDevice.getList("results.dimensions[0]").indexOf(device);
            assertEquals(on.stream().map(QueryFixture.Ev::user).distinct().count(), byDevice.getLong("results[" + row + "].metrics[0]"), device);
            assertEquals(expected, byDevice.getDouble("results[" + row + "].metrics[1]"), 1e-9, device);
            JsonPath filtered = given().header("Authorization", "Bearer " + denseToken).contentType(ContentType.JSON)
                    .body("{\"app\":\"" + dense + "\",\"metrics\":[\"avg_view_to_like_seconds\"],\"date_range\":" + range
                            + ",\"filters\":[[\"is\",\"device\",[\"" + device + "\"]]]}").when().post("/v1/query").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(expected, filtered.getDouble("results[0].metrics[0]"), 1e-9, device + " filter");
        }

        // viewers and likers by country, from the per-user rollup
        JsonPath byCountry = query("{\"app\":\"" + app + "\",\"metrics\":[\"viewers\",\"likers\"],\"date_range\":" + range()
                + ",\"dimensions\":[\"user:country\"]}");
        Map<String, List<Long>> countries = new TreeMap<>();
        for (int i = 0; i < byCountry.getList("results").size(); i++) {
            List<Number> m = byCountry.getList("results[" + i + "].metrics");
            countries.put(String.valueOf(byCountry.getString("results[" + i + "].dimensions[0]")), List.of(m.get(0).longValue(), m.get(1).longValue()));
        }
        Map<String, List<Long>> expectedCountries = new TreeMap<>();
        data.events.stream().filter(e -> e.date().isBefore(FIRST.plusDays(DAYS))).collect(Collectors.groupingBy(e -> String.valueOf(e.country())))
                .forEach((country, of) -> expectedCountries.put(country, List.of(
                        of.stream().filter(e -> e.event().equals("feed.view")).map(QueryFixture.Ev::user).distinct().count(),
                        of.stream().filter(e -> e.event().equals("feed.like")).map(QueryFixture.Ev::user).distinct().count())));
        assertEquals(expectedCountries, countries);
    }

    /** A post:id breakdown by day of every post figure against its definition over the app's events. */
    private static void assertPostBreakdown(String app, String token, List<QueryFixture.Ev> events, LocalDate from, LocalDate to)
            throws Exception {
        List<QueryFixture.Ev> feed = events.stream().filter(e -> e.postId() != null && !e.date().isBefore(from) && !e.date().isAfter(to)).toList();
        String body = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{\"app\":\"" + app
                + "\",\"metrics\":[\"views\",\"viewers\",\"likes\",\"likers\",\"ctr\",\"avg_view_to_like_seconds\"],\"date_range\":"
                + "[\"" + from + "\",\"" + to + "\"],\"dimensions\":[\"time:day\",\"post:id\"]}").when().post("/v1/query").then().statusCode(200).extract().asString();
        Map<String, List<BigDecimal>> actual = new TreeMap<>();
        for (JsonNode row : new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(body).get("results")) {
            List<BigDecimal> figures = new ArrayList<>();
            row.get("metrics").forEach(m -> figures.add(m.decimalValue()));
            if (row.at("/dimensions/1").isNull()) {
                assertTrue(figures.stream().allMatch(f -> f.signum() == 0), "events without a post have no post figures: " + figures);
                continue;
            }
            actual.put(row.at("/dimensions/0").asText() + " " + row.at("/dimensions/1").asText(), figures);
        }
        Map<String, List<BigDecimal>> expected = new TreeMap<>();
        feed.stream().collect(Collectors.groupingBy(e -> e.date() + " " + e.postId())).forEach((key, of) -> {
            List<QueryFixture.Ev> views = of.stream().filter(e -> e.event().equals("feed.view")).toList();
            List<QueryFixture.Ev> likes = of.stream().filter(e -> e.event().equals("feed.like")).toList();
            // per user: first like minus first view, when the like is not earlier
            List<Long> gaps = new ArrayList<>();
            likes.stream().map(QueryFixture.Ev::user).distinct().forEach(user -> {
                Instant like = likes.stream().filter(e -> e.user().equals(user)).map(QueryFixture.Ev::ts).min(Instant::compareTo).orElseThrow();
                views.stream().filter(e -> e.user().equals(user)).map(QueryFixture.Ev::ts).min(Instant::compareTo)
                        .filter(view -> !like.isBefore(view)).ifPresent(view -> gaps.add(like.getEpochSecond() - view.getEpochSecond()));
            });
            expected.put(key, List.of(BigDecimal.valueOf(views.size()), BigDecimal.valueOf(views.stream().map(QueryFixture.Ev::user).distinct().count()),
                    BigDecimal.valueOf(likes.size()), BigDecimal.valueOf(likes.stream().map(QueryFixture.Ev::user).distinct().count()),
                    views.isEmpty() ? BigDecimal.ZERO : BigDecimal.valueOf((double) likes.size() / views.size()),
                    gaps.isEmpty() ? BigDecimal.ZERO : BigDecimal.valueOf(gaps.stream().mapToLong(Long::longValue).sum())
                            .divide(BigDecimal.valueOf(gaps.size()), 4, RoundingMode.HALF_UP)));
        });
        // every day of the range is present for each post: a day without its events answers zeros
        assertTrue(actual.keySet().containsAll(expected.keySet()), () -> "not in the answer: " + expected.keySet().stream()
                .filter(k -> !actual.containsKey(k)).toList());
        actual.forEach((key, figures) -> assertTrue(expected.containsKey(key) || figures.stream().allMatch(f -> f.signum() == 0), key));
        assertTrue(expected.values().stream().anyMatch(f -> f.get(5).signum() > 0), "the fixture has a view followed by a like");
        expected.forEach((key, figures) -> {
            for (int i = 0; i < figures.size(); i++) {
                assertEquals(figures.get(i).doubleValue(), actual.get(key).get(i).doubleValue(), 1e-9, key + " metric " + i);
            }
        });
    }

    @Test
    void rollingAndAppMixMetrics() {
        LocalDate last = FIRST.plusDays(DAYS - 1);
        JsonPath answer = query("{\"app\":\"" + app + "\",\"metrics\":[\"wau\",\"mau\",\"feed_only_users\",\"messenger_only_users\",\"both_users\"],"
                + "\"date_range\":[\"" + last + "\",\"" + last + "\"]}");
        List<Number> m = answer.getList("results[0].metrics");
        assertEquals(data.events.stream().filter(e -> !e.date().isBefore(last.minusDays(6)) && !e.date().isAfter(last))
                .map(QueryFixture.Ev::user).distinct().count(), m.get(0).longValue(), "wau");
        assertEquals(data.events.stream().filter(e -> !e.date().isAfter(last)).map(QueryFixture.Ev::user).distinct().count(), m.get(1).longValue(), "mau");
        List<QueryFixture.Ev> day = data.events.stream().filter(e -> e.date().equals(last)).toList();
        Set<String> feed = day.stream().filter(e -> e.event().startsWith("feed.")).map(QueryFixture.Ev::user).collect(Collectors.toSet());
        Set<String> messenger = day.stream().filter(e -> e.event().equals("message.sent")).map(QueryFixture.Ev::user).collect(Collectors.toSet());
        assertEquals(feed.stream().filter(u -> !messenger.contains(u)).count(), m.get(2).longValue(), "feed only");
        assertEquals(messenger.stream().filter(u -> !feed.contains(u)).count(), m.get(3).longValue(), "messenger only");
        assertEquals(feed.stream().filter(messenger::contains).count(), m.get(4).longValue(), "both");
    }

    @Test
    void rollupAndRawStoreGiveTheSameAnswers() throws Exception {
        // every metric the rollup holds (QueryCompilerTest checks that this query reads it), against the raw store's SQL
        List<Metric> metrics = RawStoreAnswer.metrics("active_users", "events", "views", "likes", "ctr", "revenue", "new_users", "feed_users",
                "senders", "feed_only_users", "both_users");
        assertEquals(Set.copyOf(metrics), assertAnswersEqualTheRawStore(metrics, RawStoreAnswer.dimensions("time:week", "user:country"), List.of()));
    }

    /**
     * Every event-side dimension, grouped by and filtered on, from the event rollup and the day state: the metrics of
     * partials and the distinct counts of the event rollup (posts, receivers, connections, the day-7 figures) equal
     * the raw store's SQL.
     */
    @Test
    void eventSideBreakdownsAndFiltersFromTheEventRollupEqualTheRawStore() throws Exception {
        List<Metric> metrics = RawStoreAnswer.metrics("active_users", "events", "views", "likes", "ctr", "revenue", "new_users", "feed_users",
                "senders", "feed_only_users", "both_users", "paying_users", "page_views", "viewers", "likers", "posts", "receivers", "connections",
                "new_feed_users", "new_messenger_users", "users_lifetime_7d", "feed_users_lifetime_7d", "messenger_users_lifetime_7d");
        Set<Metric> exercised = new HashSet<>();
        for (Dimension dimension : RawStoreAnswer.dimensions("event:name", "event:category", "device", "page:host", "content:type", "post:id",
                "content:id")) {
            exercised.addAll(assertAnswersEqualTheRawStore(metrics, List.of(Dimension.TIME_WEEK, dimension), List.of()));
            exercised.addAll(assertAnswersEqualTheRawStore(metrics, List.of(Dimension.USER_COUNTRY),
                    List.of(new Filter("is_not", dimension, List.of("page_view", "mobile", "web", "1")))));
        }
        assertEquals(Set.copyOf(metrics), exercised, "every metric is not zero somewhere");
        // and from the generated events themselves: users and events per host over the range
        LocalDate last = FIRST.plusDays(DAYS - 1);
        List<QueryFixture.Ev> inRange = data.events.stream().filter(e -> !e.date().isAfter(last)).toList();
        JsonPath hosts = query("{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":" + range()
                + ",\"dimensions\":[\"page:host\"]}");
        Map<String, Set<String>> users = new HashMap<>();
        Map<String, Long> events = new HashMap<>();
        inRange.forEach(e -> {
            String host = String.valueOf(QueryFixture.host(e));
            users.computeIfAbsent(host, k -> new HashSet<>()).add(e.user());
            events.merge(host, 1L, Long::sum);
        });
        assertEquals(users.size(), hosts.getList("results").size());
        for (int i = 0; i < users.size(); i++) {
            String host = String.valueOf(hosts.getString("results[" + i + "].dimensions[0]"));
            assertEquals(users.get(host).size(), hosts.getInt("results[" + i + "].metrics[0]"), "users on " + host);
            assertEquals(events.get(host), hosts.getLong("results[" + i + "].metrics[1]"), "events on " + host);
        }
    }

    @Test
    void closedDayAnswersAreCachedUntilLateEventsBumpTheVersion() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, "UTC");
        new QueryFixture(other, ZoneId.of("UTC"), FIRST, 3, 5);
        String body = "{\"app\":\"" + other + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + FIRST + "\",\"" + FIRST.plusDays(2) + "\"]}";
        java.util.function.Supplier<Long> events = () -> given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                .body(body).when().post("/v1/query").then().statusCode(200).extract().jsonPath().getLong("results[0].metrics[0]");
        long before = events.get();
        try (var c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement()) {
            // a late event reaches the stores, as aggregate-service would write it, but the version is not bumped yet
            s.executeUpdate("INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id) VALUES ('"
                    + other + "', date '" + FIRST + "', gen_random_uuid(), timestamptz '" + FIRST + "T12:00:00Z', now(), 'signup', 'acquisition', 'late-user')");
            s.executeUpdate("INSERT INTO fact_user_daily (app_id, event_date, user_id, events, views, likes, messages, signups, purchases, revenue,"
                    + " page_views, plays, engagement_seconds, pct_sum, pct_count) VALUES ('" + other + "', date '" + FIRST
                    + "', 'late-user', 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)");
            assertEquals(before, events.get(), "the answer about closed days comes from the cache");
            s.executeUpdate("INSERT INTO closed_day_versions VALUES ('" + other + "', 1) ON CONFLICT (app_id) DO UPDATE SET version = closed_day_versions.version + 1");
        }
        assertEquals(before + 1, events.get(), "a bumped version invalidates it");
    }

    /** A day's counter invalidates the answers that read that day (their range and the 27 days before it), no other. */
    @Test
    void aChangedDayInvalidatesOnlyTheAnswersThatReadIt() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, "UTC");
        new QueryFixture(other, ZoneId.of("UTC"), FIRST, 40, 6);
        LocalDate from = FIRST.plusDays(35);
        String body = "{\"app\":\"" + other + "\",\"metrics\":[\"events\"],\"date_range\":[\"" + from + "\",\"" + FIRST.plusDays(39) + "\"]}";
        java.util.function.Supplier<Long> events = () -> given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                .body(body).when().post("/v1/query").then().statusCode(200).extract().jsonPath().getLong("results[0].metrics[0]");
        long before = events.get();
        LocalDate late = from.plusDays(1);
        String bump = "INSERT INTO closed_day_changes VALUES ('" + other + "', date '%s', 1)"
                + " ON CONFLICT (app_id, event_date) DO UPDATE SET version = closed_day_changes.version + 1";
        try (var c = PulseInfrastructure.current().dataSource().getConnection(); var s = c.createStatement()) {
            // a late event reaches the stores, as aggregate-service would write it, but its day is not bumped yet
            s.executeUpdate("INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id) VALUES ('"
                    + other + "', date '" + late + "', gen_random_uuid(), timestamptz '" + late + "T12:00:00Z', now(), 'signup', 'acquisition', 'late-user')");
            s.executeUpdate("INSERT INTO fact_user_daily (app_id, event_date, user_id, events, views, likes, messages, signups, purchases, revenue,"
                    + " page_views, plays, engagement_seconds, pct_sum, pct_count) VALUES ('" + other + "', date '" + late
                    + "', 'late-user', 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)");
            assertEquals(before, events.get(), "cached");
            s.executeUpdate(bump.formatted(from.minusDays(28)));
            assertEquals(before, events.get(), "a day no answer of the range reads leaves it cached");
            s.executeUpdate(bump.formatted(from.minusDays(27)));
        }
        assertEquals(before + 1, events.get(), "the first day a rolling metric of the range reads invalidates it");
    }

    @Test
    void emptyBucketsArePresentWithZeros() {
        JsonPath answer = query("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"2025-01-01\",\"2025-01-31\"],\"dimensions\":[\"time:week\"]}");
        assertEquals(5, answer.getList("results").size());
        assertEquals("2024-12-30", answer.getString("results[0].dimensions[0]"));
        assertEquals(0, answer.getInt("results[0].metrics[0]"));
    }

    @Test
    void badQueriesNameTheField() {
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\",\"bogus\"],\"date_range\":\"7d\"}")
                .when().post("/v1/query").then().statusCode(400).contentType("application/problem+json").body("field", equalTo("metrics[1]"));
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":[\"2024-01-01\",\"2026-01-01\"]}")
                .when().post("/v1/query").then().statusCode(400).body("field", equalTo("date_range"));
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\",\"dimensions\":[\"user:shoe_size\"]}")
                .when().post("/v1/query").then().statusCode(400).body("field", equalTo("dimensions[0]"));
    }

    @Test
    void aTokenOfAnotherAppSeesNothing() {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, "UTC");
        given().header("Authorization", "Bearer " + otherToken).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"metrics\":[\"events\"],\"date_range\":\"7d\"}")
                .when().post("/v1/query").then().statusCode(404);
        for (String path : List.of("/v1/realtime?app=" + app, "/v1/retention?app=" + app + "&from=2026-03-05&to=2026-03-06",
                "/v1/hosts/x.example/activity?app=" + app + "&month=2026-03", "/v1/users/u1?app=" + app, "/v1/quality?app=" + app)) {
            given().header("Authorization", "Bearer " + otherToken).when().get(path).then().statusCode(404);
            given().when().get(path).then().statusCode(401);
        }
    }

    @Test
    void aDailySeriesUpToTodayJoinsTheClosedDaysWithTheOpenOne() {
        LocalDate today = LocalDate.now(ZONE);
        String ask = "{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\",\"wau\",\"new_users\"],"
                + "\"dimensions\":[\"time:day\",\"user:country\"],\"date_range\":[\"" + FIRST + "\",\"";
        // ends yesterday: only closed days, answered whole; ends today: closed days and today, answered in two parts
        List<Map<String, Object>> closed = query(ask + today.minusDays(1) + "\"]}").getList("results");
        JsonPath open = query(ask + today + "\"]}");
        List<Map<String, Object>> all = open.getList("results");
        long countries = closed.stream().map(r -> ((List<?>) r.get("dimensions")).get(1)).distinct().count();
        assertEquals((java.time.temporal.ChronoUnit.DAYS.between(FIRST, today) + 1) * countries, all.size(), "every day, today too, for every country");
        assertEquals(all.size(), open.getInt("meta.total_rows"));
        List<Map<String, Object>> closedPart = all.stream().filter(r -> !((List<?>) r.get("dimensions")).get(0).equals(today.toString())).toList();
        assertEquals(closed, closedPart);
        all.stream().filter(r -> ((List<?>) r.get("dimensions")).get(0).equals(today.toString()))
                .forEach(r -> assertEquals(List.of(0, 0, 0, 0), r.get("metrics"), "nothing happened today"));
        List<Map<String, Object>> page = query(ask + today + "\"],\"limit\":7,\"offset\":5}").getList("results");
        assertEquals(all.subList(5, 12), page, "pages cut the joined series");
    }

    /** Events of the app today (or another day), in the raw store and the rollup, as aggregate-service stores them. */
    private static void store(String app, LocalDate day, String user, String event, String country, boolean firstSeen) throws Exception {
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection();
             java.sql.Statement s = c.createStatement()) {
            Instant ts = day.atTime(12, 0).atZone(ZONE).toInstant();
            s.executeUpdate("INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, country)"
                    + " VALUES ('" + app + "', date '" + day + "', gen_random_uuid(), timestamptz '" + ts + "', now(), '" + event
                    + "', 'engagement', '" + user + "', '" + country + "')");
            if (firstSeen) {
                s.executeUpdate("INSERT INTO user_first_seen VALUES ('" + app + "', '" + user + "', date '" + day + "', timestamptz '" + ts + "')");
            }
            QueryFixture.rollUp(c, app);
        }
    }

    @Test
    void aRangeUpToTodayMergesTheCachedClosedDaysWithToday() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
        QueryFixture past = new QueryFixture(other, ZONE, FIRST, 3, 7);
        LocalDate today = LocalDate.now(ZONE);
        String metrics = "\"active_users\",\"events\",\"new_users\",\"feed_users\",\"senders\",\"both_users\",\"feed_only_users\","
                + "\"messenger_only_users\",\"revenue\",\"avg_order_value\",\"paying_users\",\"viewers\",\"likers\"";
        String tail = "],\"date_range\":[\"" + FIRST + "\",\"" + today + "\"],\"dimensions\":[\"user:country\"]}";
        java.util.function.Function<String, List<Map<String, Object>>> ask = m -> given().header("Authorization", "Bearer " + otherToken)
                .contentType(ContentType.JSON).body("{\"app\":\"" + other + "\",\"metrics\":[" + m + tail).when().post("/v1/query")
                .then().statusCode(200).extract().jsonPath().getList("results");
        // the first answer caches the closed days' per-user partials
        Map<String, Object> before = ask.apply(metrics).stream().filter(r -> r.get("dimensions").equals(List.of("DE"))).findFirst().orElseThrow();

        // today a user of the closed days writes a message, and a new user signs up
        String known = past.events.stream().filter(e -> "DE".equals(e.country())).map(QueryFixture.Ev::user).findFirst().orElseThrow();
        store(other, today, known, "message.sent", "DE", false);
        store(other, today, "newcomer", "signup", "DE", true);

        // merged from the cache and today, per user: the raw store's answer
        // (every user of this small fixture uses both the feed and the messenger: the *_only_users are 0 throughout)
        assertTrue(assertAnswersEqualTheRawStore(otherToken, new Query(new App(other, ZONE), RawStoreAnswer.metrics(metrics.replace("\"", "").split(",")),
                FIRST, today, List.of(Dimension.USER_COUNTRY), List.of(), List.of(), Integer.MAX_VALUE, 0)).containsAll(List.of(Metric.ACTIVE_USERS,
                Metric.NEW_USERS, Metric.SENDERS, Metric.BOTH_USERS)));
        List<Map<String, Object>> merged = ask.apply(metrics);
        List<?> de = (List<?>) merged.stream().filter(r -> r.get("dimensions").equals(List.of("DE"))).findFirst().orElseThrow().get("metrics");
        List<?> old = (List<?>) before.get("metrics");
        assertEquals(((Number) old.get(0)).longValue() + 1, ((Number) de.get(0)).longValue(), "the known user counts once, the new one adds");
        assertEquals(((Number) old.get(1)).longValue() + 2, ((Number) de.get(1)).longValue());
        assertEquals(((Number) old.get(2)).longValue() + 1, ((Number) de.get(2)).longValue());
    }

    @Test
    void aMonthOfAnAppActiveTodayCountsAUserFirstSeenOnADayWithoutRollupRows() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
        LocalDate today = LocalDate.now(ZONE);
        store(other, today, "a", "signup", "DE", true);
        store(other, today, "b", "page_view", "FR", true);
        // c's first day is in the range but its rollup rows are gone (retention drops those, not the day c was first seen)
        store(other, today, "c", "page_view", "FR", false);
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection(); java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO user_first_seen VALUES ('" + other + "', 'c', date '" + today.minusDays(10) + "', timestamptz '"
                    + today.minusDays(10).atTime(12, 0).atZone(ZONE).toInstant() + "')");
        }
        java.util.function.Function<String, List<Object>> ask = m -> given().header("Authorization", "Bearer " + otherToken)
                .contentType(ContentType.JSON).body("{\"app\":\"" + other + "\",\"metrics\":[" + m + "],\"date_range\":[\"" + today.minusDays(29)
                        + "\",\"" + today + "\"]}").when().post("/v1/query").then().statusCode(200).extract().jsonPath().getList("results[0].metrics");
        // the rollup's answer (the closed days quiet but one, read per user) and the raw store's, alike
        List<Object> fromRollup = ask.apply("\"active_users\",\"new_users\"");
        assertEquals(List.of(3, 3), fromRollup, "a, b and c are active and first seen in the range");
        assertEquals(Set.of(Metric.ACTIVE_USERS, Metric.NEW_USERS), assertAnswersEqualTheRawStore(otherToken, new Query(new App(other, ZONE),
                List.of(Metric.ACTIVE_USERS, Metric.NEW_USERS), today.minusDays(29), today, List.of(), List.of(), List.of(), Integer.MAX_VALUE, 0)));
        JsonPath cohort = given().header("Authorization", "Bearer " + otherToken).when().get("/v1/retention?app=" + other + "&from="
                + today.minusDays(10) + "&to=" + today.minusDays(10) + "&period=day&horizon=10").then().statusCode(200).extract().jsonPath();
        assertEquals(1, cohort.getInt("cohorts[0].size"), "c's cohort: its day has no rollup rows, not no users");
        assertEquals(1, cohort.getInt("cohorts[0].retained[10]"), "c is back today");
    }

    @Test
    void retentionUpToTodayMergesTheCachedClosedDaysWithToday() throws Exception {
        String other = TestData.newAppId();
        String otherToken = TestData.createApp(PulseInfrastructure.current().dataSource(), other, ZONE.getId());
        LocalDate today = LocalDate.now(ZONE);
        java.util.function.Supplier<JsonPath> retention = () -> given().header("Authorization", "Bearer " + otherToken)
                .when().get("/v1/retention?app=" + other + "&from=" + today.minusDays(1) + "&to=" + today + "&period=day&horizon=1")
                .then().statusCode(200).extract().jsonPath();
        store(other, today.minusDays(1), "returner", "page_view", "FR", true);
        assertEquals(List.of(1, 0), retention.get().getList("cohorts[0].retained"), "yesterday's cohort, not back yet");
        store(other, today, "returner", "page_view", "FR", false);
        store(other, today, "newcomer", "signup", "FR", true);
        JsonPath after = retention.get();
        assertEquals(List.of(1, 1), after.getList("cohorts[0].retained"), "back today");
        assertEquals(1, after.getInt("cohorts[0].size"));
        assertEquals(1, after.getInt("cohorts[1].size"));
        assertEquals(List.of(1, 0), after.getList("cohorts[1].retained"));
    }

    @Test
    void qualityShowsTheDailyCloseOnlyForClosedDays() throws Exception {
        try (java.sql.Connection c = PulseInfrastructure.current().dataSource().getConnection();
             java.sql.Statement s = c.createStatement()) {
            s.execute("INSERT INTO quality_snapshot_daily (app_id, event_date, accepted, active_users, rejected, rejected_by_reason, duplicates,"
                    + " late, clock_clamped, validation_rate, completeness, facts_consistent, repaired) VALUES ('" + app + "', '" + FIRST
                    + "', 10, 3, 0, '{}', 0, 0, 0, 1.0, 0.75, true, false)");
        }
        given().header("Authorization", "Bearer " + token).when().get("/v1/quality?app=" + app + "&date=" + FIRST)
                .then().statusCode(200).body("closed.completeness", equalTo(0.75f)).body("closed.facts_consistent", equalTo(true))
                .body("closed.repaired", equalTo(false));
        given().header("Authorization", "Bearer " + token).when().get("/v1/quality?app=" + app + "&date=" + FIRST.plusDays(1))
                .then().statusCode(200).body("closed", org.hamcrest.Matchers.nullValue());
        given().header("Authorization", "Bearer " + token).when().get("/v1/quality?app=" + app + "&date=2026-02-30")
                .then().statusCode(400).body("field", equalTo("date"));
    }

    /**
     * 002's day-7 figures per day and country across the DST change, each from the fixture's events: active users first
     * seen exactly 7 days before, the new users of 7 days before, each also within feed and messenger.
     */
    @Test
    void daySevenFiguresPerDayAndCountry() {
        List<String> names = List.of("users_lifetime_7d", "feed_users_lifetime_7d", "messenger_users_lifetime_7d", "new_users_7_days_ago",
                "feed_new_users_7_days_ago", "messenger_new_users_7_days_ago", "new_feed_users", "new_messenger_users");
        JsonPath answer = query("{\"app\":\"" + app + "\",\"metrics\":" + names.stream().map(n -> "\"" + n + "\"").toList()
                + ",\"date_range\":" + range() + ",\"dimensions\":[\"time:day\",\"user:country\"]}");
        java.util.function.Predicate<QueryFixture.Ev> any = e -> true;
        java.util.function.Predicate<QueryFixture.Ev> feed = e -> e.event().startsWith("feed.");
        java.util.function.Predicate<QueryFixture.Ev> messenger = e -> e.event().equals("message.sent");
        Map<String, List<Long>> expected = new TreeMap<>();
        Set<String> countries = data.events.stream().map(e -> String.valueOf(e.country())).collect(Collectors.toSet());
        for (int d = 0; d < DAYS; d++) {
            LocalDate day = FIRST.plusDays(d);
            for (String country : countries) {
                List<Long> figures = new ArrayList<>();
                for (var kind : List.of(any, feed, messenger)) {
                    figures.add(data.events.stream().filter(e -> e.date().equals(day) && kind.test(e) && String.valueOf(e.country()).equals(country)
                            && day.minusDays(7).equals(data.firstDay(e.user(), kind))).map(QueryFixture.Ev::user).distinct().count());
                }
                for (var kind : List.of(any, feed, messenger)) {
                    figures.add(newUsers(day.minusDays(7), country, kind));
                }
                figures.add(newUsers(day, country, feed));
                figures.add(newUsers(day, country, messenger));
                expected.put(day + "|" + country, figures);
            }
        }
        Map<String, List<Long>> actual = new TreeMap<>();
        List<Map<String, Object>> rows = answer.getList("results");
        for (Map<String, Object> row : rows) {
            List<?> dims = (List<?>) row.get("dimensions");
            actual.put(dims.get(0) + "|" + dims.get(1), ((List<?>) row.get("metrics")).stream().map(n -> ((Number) n).longValue()).toList());
        }
        assertEquals(expected, actual);
        assertTrue(expected.values().stream().anyMatch(f -> f.get(0) > 0 && f.get(3) > 0 && f.get(4) > 0), "the fixture exercises them");
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{\"app\":\"" + app
                + "\",\"metrics\":[\"new_users_7_days_ago\"],\"date_range\":" + range() + ",\"dimensions\":[\"time:month\"]}")
                .when().post("/v1/query").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("metrics"));
    }

    /** Users whose first day of the kind is {@code day}, in the country (traits are fixed per user in the fixture). */
    private static long newUsers(LocalDate day, String country, java.util.function.Predicate<QueryFixture.Ev> kind) {
        return data.events.stream().filter(e -> String.valueOf(e.country()).equals(country) && day.equals(data.firstDay(e.user(), kind)))
                .map(QueryFixture.Ev::user).distinct().count();
    }

    /** Cohorts of the users whose first-day traits pass the filters, split by a trait: each cell against the fixture. */
    @Test
    void retentionWithFiltersAndABreakdownByTrait() {
        int days = 6;
        int horizon = 3;
        String filters = java.net.URLEncoder.encode("[[\"is_not\",\"user:country\",[\"FR\"]]]", java.nio.charset.StandardCharsets.UTF_8);
        JsonPath answer = given().header("Authorization", "Bearer " + token).urlEncodingEnabled(false)
                .when().get("/v1/retention?app=" + app + "&from=" + FIRST + "&to=" + FIRST.plusDays(days - 1) + "&period=day&horizon=" + horizon
                        + "&breakdown=user:country&filters=" + filters)
                .then().statusCode(200).extract().jsonPath();
        assertEquals("user:country", answer.getString("breakdown"));
        Map<String, LocalDate> first = new HashMap<>();
        Map<String, String> country = new HashMap<>();
        data.events.forEach(e -> {
            first.merge(e.user(), e.date(), (a, b) -> a.isBefore(b) ? a : b);
            country.put(e.user(), String.valueOf(e.country()));
        });
        Map<String, List<Long>> expected = new TreeMap<>();
        Set<String> groups = first.entrySet().stream().filter(e -> e.getValue().isBefore(FIRST.plusDays(days)) && !country.get(e.getKey()).equals("FR"))
                .map(e -> country.get(e.getKey())).collect(Collectors.toSet());
        for (String group : groups) {
            for (int c = 0; c < days; c++) {
                LocalDate cohort = FIRST.plusDays(c);
                Set<String> members = first.entrySet().stream().filter(e -> e.getValue().equals(cohort) && country.get(e.getKey()).equals(group))
                        .map(Map.Entry::getKey).collect(Collectors.toSet());
                List<Long> cells = new ArrayList<>(List.of((long) members.size()));
                for (int k = 0; k <= horizon; k++) {
                    LocalDate day = cohort.plusDays(k);
                    cells.add(data.events.stream().filter(e -> e.date().equals(day) && members.contains(e.user())).map(QueryFixture.Ev::user).distinct().count());
                }
                expected.put(group + "|" + cohort, cells);
            }
        }
        Map<String, List<Long>> actual = new TreeMap<>();
        List<Map<String, Object>> cohorts = answer.getList("cohorts");
        for (Map<String, Object> c : cohorts) {
            List<Long> cells = new ArrayList<>(List.of(((Number) c.get("size")).longValue()));
            ((List<?>) c.get("retained")).forEach(n -> cells.add(((Number) n).longValue()));
            actual.put(c.get("breakdown_value") + "|" + c.get("cohort"), cells);
        }
        assertEquals(expected, actual);
        given().header("Authorization", "Bearer " + token).when().get("/v1/retention?app=" + app + "&from=" + FIRST + "&to=" + FIRST
                + "&breakdown=device").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("breakdown"));
        given().header("Authorization", "Bearer " + token).when().get("/v1/retention?app=" + app + "&from=" + FIRST + "&to=" + FIRST
                + "&filters=[[\"is\",\"device\",[\"x\"]]]").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("filters[0]"));
        given().header("Authorization", "Bearer " + token).when().get("/v1/retention?app=" + app + "&from=" + FIRST + "&to=" + FIRST
                + "&filters=[[").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("filters"));
    }

    @Test
    void retentionCohorts() {
        JsonPath answer = given().header("Authorization", "Bearer " + token)
                .when().get("/v1/retention?app=" + app + "&from=" + FIRST + "&to=" + FIRST.plusDays(2) + "&period=day&horizon=3")
                .then().statusCode(200).extract().jsonPath();
        Map<String, LocalDate> first = new HashMap<>();
        data.events.forEach(e -> first.merge(e.user(), e.date(), (a, b) -> a.isBefore(b) ? a : b));
        for (int c = 0; c < 3; c++) {
            LocalDate cohort = FIRST.plusDays(c);
            Set<String> members = first.entrySet().stream().filter(e -> e.getValue().equals(cohort)).map(Map.Entry::getKey).collect(Collectors.toSet());
            assertEquals(members.size(), answer.getInt("cohorts[" + c + "].size"));
            for (int k = 0; k <= 3; k++) {
                LocalDate day = cohort.plusDays(k);
                long retained = data.events.stream().filter(e -> e.date().equals(day) && members.contains(e.user()))
                        .map(QueryFixture.Ev::user).distinct().count();
                assertEquals(retained, answer.getLong("cohorts[" + c + "].retained[" + k + "]"), "cohort " + cohort + " day " + k);
            }
        }
    }

    private static long count(List<QueryFixture.Ev> events, String name) {
        return events.stream().filter(e -> e.event().equals(name)).count();
    }
}
