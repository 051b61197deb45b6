package dev.pulse.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pulse.schema.RedisKeys;
import dev.pulse.contract.testing.PulseInfrastructure;
import dev.pulse.contract.testing.TestData;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in headless Chromium, on a known dataset: what it shows equals what the public API answers (asked
 * by this test) and, where cheap, an independent count over the dataset; filters, CSV, real time and sign-in errors.
 * Screenshots of every panel go to target/screenshots.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final int DAYS = 10;
    private static final String HOST = "www.example.test";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = DashboardPage.WAIT;
    private static String app;
    private static String token;
    private static QueryFixture data;
    private static long hostPageViews;
    private static LocalDate today;
    private static Chromium browser;

    @TestHTTPResource("/")
    URL root;

    @Inject
    RedisDataSource redis;

    private DashboardPage page;

    @BeforeEach
    void page() {
        page = new DashboardPage(browser, root);
    }

    @BeforeAll
    static void load() throws Exception {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        today = LocalDate.now(ZONE);
        data = new QueryFixture(app, ZONE, today.minusDays(DAYS - 1), DAYS, 17);
        pageViews();
        rejections();
        browser = new Chromium(Path.of("target"));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    /**
     * Page views on a host today and yesterday, in the raw store, the rollup and the host's month, as aggregate stores them;
     * more than the fixture's page views on its own hosts, so that this host is the busiest one.
     */
    private static void pageViews() throws Exception {
        YearMonth month = YearMonth.from(today);
        long[] hits = new long[month.lengthOfMonth()];
        List<Set<String>> visitors = new ArrayList<>();
        for (int i = 0; i < hits.length; i++) {
            visitors.add(new HashSet<>());
        }
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, host)
                     VALUES (?, ?, gen_random_uuid(), ?, ?, 'page_view', 'engagement', ?, ?)""");
             PreparedStatement month_ = c.prepareStatement("""
                     INSERT INTO host_activity_reduced (app_id, host, month_start, hit_array, unique_visitors_array) VALUES (?, ?, ?, ?, ?)""")) {
            hostPageViews = data.events.stream().filter(e -> e.event().equals("page_view")).count() + 12;
            for (int i = 0; i < hostPageViews; i++) {
                LocalDate day = i % 3 == 0 && today.getDayOfMonth() > 1 ? today.minusDays(1) : today;
                Instant ts = day.atTime(0, 30).plusSeconds(i).atZone(ZONE).toInstant();
                String user = "u" + (i % 5);
                insert.setString(1, app);
                insert.setObject(2, day);
                insert.setTimestamp(3, Timestamp.from(ts));
                insert.setTimestamp(4, Timestamp.from(ts));
                insert.setString(5, user);
                insert.setString(6, HOST);
                insert.addBatch();
                hits[day.getDayOfMonth() - 1]++;
                visitors.get(day.getDayOfMonth() - 1).add(user);
            }
            insert.executeBatch();
            QueryFixture.rollUp(c, app);
            month_.setString(1, app);
            month_.setString(2, HOST);
            month_.setObject(3, month.atDay(1));
            month_.setArray(4, c.createArrayOf("bigint", Arrays.stream(hits).boxed().toArray()));
            month_.setArray(5, c.createArrayOf("bigint", visitors.stream().map(s -> (long) s.size()).toArray()));
            month_.executeUpdate();
        }
    }

    /** Events refused today, as aggregate records what reaches events.invalid. */
    private static void rejections() throws Exception {
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("""
                     INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, error, payload, rejected_at)
                     VALUES (?, ?, ?, ?, 'refused by the test', '{}', now())""")) {
            String[] reasons = {"missing_field", "missing_field", "bad_timestamp"};
            long offset = Math.abs(new java.util.Random().nextLong() % 1_000_000_000L);
            for (int i = 0; i < reasons.length; i++) {
                insert.setInt(1, 9_999);
                insert.setLong(2, offset + i);
                insert.setString(3, app);
                insert.setString(4, reasons[i]);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    // ---- the API, asked by the test ----

    private static JsonNode api(String body) {
        String answer = given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/query").then().statusCode(200).extract().asString();
        return read(answer);
    }

    private static JsonNode apiGet(String path) {
        return read(given().header("Authorization", "Bearer " + token).when().get(path).then().statusCode(200).extract().asString());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String range(LocalDate from, LocalDate to) {
        return "[\"" + from + "\",\"" + to + "\"]";
    }

    private static String filters(String filter) {
        return filter == null ? "[]" : "[[\"is\",\"user:country\",[\"" + filter + "\"]]]";
    }

    /** Rows of a breakdown: dimension value → [users, events]. */
    private static Map<String, List<Double>> apiBreakdown(String dimension, String filter) {
        JsonNode answer = api("{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":" + range(today.minusDays(6), today)
                + ",\"dimensions\":[\"" + dimension + "\"],\"filters\":" + filters(filter) + ",\"order_by\":[[\"events\",\"desc\"]],\"limit\":10}");
        Map<String, List<Double>> rows = new TreeMap<>();
        answer.get("results").forEach(r -> rows.put(r.get("dimensions").get(0).asText(""),
                List.of(r.get("metrics").get(0).asDouble(), r.get("metrics").get(1).asDouble())));
        return rows;
    }

    // ---- the page ----

    private Object js(String script, Object... args) {
        return page.js(script, args);
    }

    private long renders() {
        return page.renders();
    }

    private void rendered(long before) {
        page.rendered(before);
    }

    private void signInWith(String readToken) {
        page.signIn(app, readToken);
    }

    private List<List<String>> tableOf(String selector) {
        return page.tableOf(selector);
    }

    private Map<String, List<Double>> breakdownOf(String dimension) {
        Map<String, List<Double>> rows = new TreeMap<>();
        for (List<String> r : tableOf("#breakdown-" + dimension.replaceAll("[^a-z]+", "-"))) {
            rows.put(r.get(0), List.of(Double.parseDouble(r.get(1)), Double.parseDouble(r.get(2))));
        }
        return rows;
    }

    private Map<String, Double> kpis(String attribute) {
        Map<String, Double> values = new TreeMap<>();
        for (WebElement card : browser.driver.findElements(By.cssSelector("#kpis .kpi"))) {
            String selector = attribute.equals("value") ? ".value" : ".change";
            String value = card.findElement(By.cssSelector(selector)).getDomAttribute("data-" + attribute);
            values.put(card.getDomAttribute("data-metric"), Double.parseDouble(value));
        }
        return values;
    }

    private static final List<String> KPI = List.of("active_users", "wau", "mau", "new_users", "events", "revenue");

    private static Map<String, Double> apiKpis(LocalDate from, LocalDate to, String filter) {
        JsonNode answer = api("{\"app\":\"" + app + "\",\"metrics\":[\"" + String.join("\",\"", KPI) + "\"],\"date_range\":"
                + range(from, to) + ",\"filters\":" + filters(filter) + "}");
        Map<String, Double> values = new TreeMap<>();
        for (int i = 0; i < KPI.size(); i++) {
            values.put(KPI.get(i), answer.get("results").get(0).get("metrics").get(i).asDouble());
        }
        return values;
    }

    private void assertKpis(String filter) {
        assertKpis(today.minusDays(6), today, filter);
    }

    private void assertKpis(LocalDate from, LocalDate to, String filter) {
        long days = java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
        assertEquals(apiKpis(from, to, filter), kpis("value"), "KPI cards");
        assertEquals(apiKpis(from.minusDays(days), from.minusDays(1), filter), kpis("previous"), "KPI cards, the period before");
    }

    private void assertSeries(String metric, String filter) {
        JsonNode answer = api("{\"app\":\"" + app + "\",\"metrics\":[\"" + metric + "\"],\"date_range\":" + range(today.minusDays(6), today)
                + ",\"dimensions\":[\"time:day\"],\"filters\":" + filters(filter) + "}");
        List<List<String>> expected = new ArrayList<>();
        answer.get("results").forEach(r -> expected.add(List.of(r.get("dimensions").get(0).asText(), r.get("metrics").get(0).asText())));
        assertEquals(expected, tableOf("#series"), "the series' data");
    }

    private void screenshotPanels(String suffix) {
        for (WebElement panel : browser.driver.findElements(By.cssSelector("[data-panel]"))) {
            screenshotPanel(panel.getDomAttribute("id"), panel.getDomAttribute("id") + suffix);
        }
    }

    private void screenshotPanel(String id, String name) {
        // the sticky header would cover the panel being captured
        js("document.querySelector('.top').style.position = 'static'");
        WebElement panel = browser.driver.findElement(By.id(id));
        // a panel partly below the window would be cut to its visible part
        js("arguments[0].scrollIntoView()", panel);
        browser.screenshot(panel, name);
        js("document.querySelector('.top').style.position = ''");
    }

    // ---- the tests ----

    @Test
    @Order(1)
    void aWrongTokenShowsASignInError() {
        signInWith("pr_not_a_token");
        WebElement error = browser.driver.findElement(By.id("signin-error"));
        await().atMost(WAIT).until(error::isDisplayed);
        assertTrue(error.getText().contains("read token is not known (401)"), error.getText());
        assertFalse(browser.driver.findElement(By.id("app")).isDisplayed(), "no dashboard without a valid token");
        assertNull(js("return sessionStorage.getItem('pulse.session')"), "a refused token is not kept");
        browser.screenshot("signin-error");
    }

    @Test
    @Order(2)
    void kpisAndBreakdownsEqualTheApi() {
        signInWith(token);
        rendered(0);
        assertFalse(browser.driver.findElement(By.id("signin")).isDisplayed(), "signed in");
        assertFalse(browser.driver.getCurrentUrl().contains(token), "the token is not in the URL");
        assertTrue(browser.driver.manage().getCookies().isEmpty(), "nor in a cookie");
        assertEquals(ZONE.getId(), browser.driver.findElement(By.id("tz")).getText());
        assertKpis(null);
        // and independently of the API: events and active users of the last 7 days of the dataset (+ the page views)
        List<QueryFixture.Ev> week = data.events.stream().filter(e -> !e.date().isBefore(today.minusDays(6)) && !e.date().isAfter(today)).toList();
        assertEquals(week.size() + hostPageViews, kpis("value").get("events").longValue());
        assertEquals(week.stream().map(QueryFixture.Ev::user).distinct().count(), kpis("value").get("active_users").longValue());
        for (String dimension : List.of("user:country", "device", "event:name", "page:host")) {
            assertEquals(apiBreakdown(dimension, null), breakdownOf(dimension), dimension);
        }
        assertSeries("active_users", null);
        screenshotPanels("");
        // the README's picture: the first screens of the page
        browser.driver.manage().window().setSize(new Dimension(1280, 1700));
        browser.js("window.scrollTo(0, 0)");
        browser.jpeg("dashboard", 72);
        browser.screenshot("dashboard");
        browser.driver.manage().window().setSize(new Dimension(1280, 900));
    }

    @Test
    @Order(3)
    void pickingARowFiltersEveryPanelAndTheUrlRestoresIt() {
        long before = renders();
        // by keyboard: the row's label is a button
        WebElement de = browser.driver.findElement(By.xpath("//section[@id='breakdown-user-country']//button[@class='pick' and text()='DE']"));
        de.sendKeys(Keys.ENTER);
        rendered(before);
        assertEquals("user:country", browser.driver.findElement(By.cssSelector("#filters .chip")).getDomAttribute("data-dimension"));
        assertEquals(browser.driver.findElement(By.cssSelector("#filters .chip button")), browser.driver.switchTo().activeElement(),
                "the keyboard goes on from the new filter");
        String url = URLDecoder.decode(browser.driver.getCurrentUrl(), StandardCharsets.UTF_8);
        assertTrue(url.contains("f=is|user:country|DE"), url);
        assertFilteredByGermany();
        assertTrue(browser.driver.findElement(By.cssSelector("#retention .note")).isDisplayed(), "unfiltered panels say so");
        screenshotPanels("-filtered");

        browser.driver.navigate().refresh();
        rendered(0);
        assertFilteredByGermany();

        before = renders();
        browser.driver.findElement(By.cssSelector("#filters .chip button")).click();
        rendered(before);
        assertTrue(browser.driver.findElements(By.cssSelector("#filters .chip")).isEmpty());
        assertKpis(null);
        assertFalse(browser.driver.getCurrentUrl().contains("user%3Acountry"));
    }

    private void assertFilteredByGermany() {
        assertKpis("DE");
        assertEquals(Set.of("DE"), breakdownOf("user:country").keySet());
        for (String dimension : List.of("device", "event:name")) {
            assertEquals(apiBreakdown(dimension, "DE"), breakdownOf(dimension), dimension + " filtered");
        }
        assertSeries("active_users", "DE");
        JsonNode mix = api("{\"app\":\"" + app + "\",\"metrics\":[\"feed_only_users\",\"messenger_only_users\",\"both_users\"],\"date_range\":"
                + range(today.minusDays(6), today) + ",\"filters\":" + filters("DE") + "}");
        List<String> shown = tableOf("#appmix").stream().map(r -> r.get(1)).toList();
        List<String> expected = new ArrayList<>();
        mix.get("results").get(0).get("metrics").forEach(m -> expected.add(m.asText()));
        assertEquals(expected, shown, "app mix filtered");
    }

    @Test
    @Order(4)
    void retentionCellsEqualTheApi() {
        // the dataset's users all arrived in its first days: 30 days hold their cohorts
        long before = renders();
        new Select(browser.driver.findElement(By.id("range"))).selectByValue("30d");
        rendered(before);
        assertTrue(browser.driver.getCurrentUrl().contains("range=30d"));
        for (String period : List.of("day", "week")) {
            before = renders();
            new Select(browser.driver.findElement(By.id("retention-period"))).selectByValue(period);
            await().atMost(WAIT).until(() -> "ready".equals(js("return document.getElementById('retention').dataset.state"))
                    && tableOf("#retention").size() > 0 && js("return document.querySelector('#retention th:nth-child(3)').textContent")
                    .toString().startsWith(period.equals("day") ? "Day" : "Week"));
            LocalDate from = period.equals("day") ? today.minusDays(29) : today.minusDays(29).with(java.time.DayOfWeek.MONDAY);
            int horizon = period.equals("day") ? 7 : 4;
            JsonNode answer = apiGet("/v1/retention?app=" + app + "&from=" + from + "&to=" + today + "&period=" + period + "&horizon=" + horizon);
            List<List<String>> expected = new ArrayList<>();
            answer.get("cohorts").forEach(c -> {
                List<String> row = new ArrayList<>(List.of(c.get("cohort").asText(), c.get("size").asText()));
                c.get("retained").forEach(n -> row.add(n.asText()));
                expected.add(row);
            });
            assertEquals(expected, tableOf("#retention"), period + " cohorts");
            assertEquals(before, renders(), "only the retention panel was redrawn");
            screenshotPanel("retention", "retention-" + period);
        }
    }

    @Test
    @Order(5)
    void csvDownloadsEqualTheTables() throws Exception {
        for (String panel : List.of("breakdown-user-country", "series", "retention")) {
            List<List<String>> shown = tableOf("#" + panel);
            @SuppressWarnings("unchecked")
            List<String> head = (List<String>) js("return [...document.querySelectorAll('#' + arguments[0] + ' thead th')].map((th) => th.textContent)", panel);
            List<List<String>> csv = page.download("#" + panel + " .csv").lines().map(line -> Arrays.asList(line.split(",", -1))).toList();
            assertEquals(head, csv.get(0), panel + " CSV header");
            assertEquals(shown, csv.subList(1, csv.size()), panel + " CSV rows");
        }
    }

    private void realtimeEvents(int n, String content) {
        long minute = Instant.now().getEpochSecond() / 60;
        redis.value(Long.class).incrby(RedisKeys.events(app, minute), n);
        for (int i = 0; i < n; i++) {
            redis.hyperloglog(String.class).pfadd(RedisKeys.users(app, minute), "rt-user-" + content + "-" + i);
        }
        redis.sortedSet(String.class).zincrby(RedisKeys.topContent(app, minute), n, content);
        redis.sortedSet(String.class).zincrby(RedisKeys.topEvents(app, minute), n, "content.engagement");
    }

    private long realtimeShown() {
        Object value = js("return document.getElementById('rt-events').dataset.value || '-1'");
        return Long.parseLong(value.toString());
    }

    @Test
    @Order(6)
    void realTimeUpdatesWithoutAReload() {
        js("window.notReloaded = true");
        long apiBefore = apiGet("/v1/realtime?app=" + app + "&minutes=30").get("events").asLong();
        realtimeEvents(5, "video-1");
        await().atMost(WAIT).until(() -> realtimeShown() == apiBefore + 5);
        realtimeEvents(3, "video-2");
        await().atMost(WAIT).until(() -> realtimeShown() == apiBefore + 8);
        JsonNode now = apiGet("/v1/realtime?app=" + app + "&minutes=30");
        assertEquals(now.get("events").asLong(), realtimeShown());
        assertEquals(now.get("active_users").asText(), js("return document.getElementById('rt-users').dataset.value"));
        List<List<String>> content = tableOf("#rt-content");
        List<List<String>> expected = new ArrayList<>();
        now.get("top_content").forEach(c -> expected.add(List.of(c.get("content_id").asText(), c.get("events").asText())));
        assertEquals(expected, content);
        assertEquals(Boolean.TRUE, js("return window.notReloaded === true"), "refreshed in place");
        screenshotPanel("realtime", "realtime-updated");
    }

    @Test
    @Order(7)
    void hostCalendarQualityAndUserLookupShowTheApi() {
        JsonNode month = apiGet("/v1/hosts/" + HOST + "/activity?app=" + app + "&month=" + YearMonth.from(today));
        assertEquals(HOST, browser.driver.findElement(By.id("host")).getDomProperty("value"), "the busiest host is shown");
        List<List<String>> days = tableOf("#hosts");
        for (int i = 0; i < days.size(); i++) {
            assertEquals(month.get("hit_array").get(i).asText(), days.get(i).get(1), "hits of day " + (i + 1));
            assertEquals(month.get("unique_visitors_array").get(i).asText(), days.get(i).get(2), "visitors of day " + (i + 1));
        }
        assertEquals(month.get("hit_array").size(), browser.driver.findElements(By.cssSelector("#hosts .day")).size());

        JsonNode quality = apiGet("/v1/quality?app=" + app + "&date=" + today);
        List<List<String>> shown = tableOf("#quality");
        assertEquals(quality.get("accepted").asText(), shown.get(0).get(1));
        assertEquals(quality.get("active_users").asText(), shown.get(9).get(1));
        List<List<String>> reasons = new ArrayList<>();
        quality.get("rejected_by_reason").properties().forEach(r -> reasons.add(List.of(r.getKey(), r.getValue().asText())));
        reasons.sort((a, b) -> Long.compare(Long.parseLong(b.get(1)), Long.parseLong(a.get(1))));
        assertEquals(List.of(List.of("missing_field", "2"), List.of("bad_timestamp", "1")), reasons, "the API counts the refused events");
        assertEquals(reasons, tableOf("#quality-reasons"), "rejected by reason");

        String user = data.events.get(0).user();
        WebElement field = browser.driver.findElement(By.id("user-id"));
        field.sendKeys(user, Keys.ENTER);
        await().atMost(WAIT).until(() -> "ready".equals(js("return document.getElementById('user').dataset.state")));
        JsonNode answer = apiGet("/v1/users/" + user + "?app=" + app + "&month=" + YearMonth.from(today));
        List<List<String>> fields = tableOf("#user");
        assertEquals(List.of("First seen", answer.get("first_seen").asText()), fields.get(0));
        assertEquals(List.of("Active days, last 28", answer.get("l28").asText()), fields.get(3));
        assertTrue(browser.driver.getCurrentUrl().contains("user=" + user));
        for (String panel : List.of("hosts", "quality", "user")) {
            screenshotPanel(panel, panel);
        }

        field.clear();
        field.sendKeys("nobody-" + user, Keys.ENTER);
        await().atMost(WAIT).until(() -> "error".equals(js("return document.getElementById('user').dataset.state")));
        assertTrue(browser.driver.findElement(By.cssSelector("#user .status")).getText().startsWith("Not found (404)"));
    }

    @Test
    @Order(8)
    void aRefusedQueryNamesTheField() {
        long before = renders();
        // wau is per day: the API refuses it by week, and the panel says why
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("week");
        rendered(before);
        new Select(browser.driver.findElement(By.id("metric"))).selectByValue("wau");
        await().atMost(WAIT).until(() -> "error".equals(js("return document.getElementById('series').dataset.state")));
        String text = browser.driver.findElement(By.cssSelector("#series .status")).getText();
        assertTrue(text.startsWith("The request was refused (400)") && text.contains("field “metrics”"), text);
        before = renders();
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("day");
        rendered(before);
        assertEquals("ready", js("return document.getElementById('series').dataset.state"));

        // sessions are one of the series' metrics: the days shown, as the API answers them
        new Select(browser.driver.findElement(By.id("metric"))).selectByValue("sessions");
        // a metric change renders the series panel alone
        await().atMost(WAIT).until(() -> "ready".equals(js("return document.getElementById('series').dataset.state"))
                && "sessions".equals(js("return document.querySelector('#series .table th:nth-child(2)')?.textContent")));
        List<List<String>> shown = tableOf("#series");
        JsonNode answer = api("{\"app\":\"" + app + "\",\"metrics\":[\"sessions\"],\"date_range\":[\"" + shown.get(0).get(0) + "\",\""
                + shown.get(shown.size() - 1).get(0) + "\"],\"dimensions\":[\"time:day\"]}");
        List<List<String>> expected = new ArrayList<>();
        answer.get("results").forEach(r -> expected.add(List.of(r.get("dimensions").get(0).asText(), r.get("metrics").get(0).asText())));
        assertEquals(expected, shown, "sessions per day");
        assertTrue(expected.stream().anyMatch(r -> !r.get(1).equals("0")), "the fixture has sessions in the range");
    }

    @Test
    @Order(9)
    void aCustomRangeComparesWithThePeriodBefore() {
        LocalDate from = today.minusDays(8);
        LocalDate to = today.minusDays(6);
        long before = renders();
        new Select(browser.driver.findElement(By.id("range"))).selectByValue("custom");
        rendered(before);
        before = renders();
        // a date field's typed form depends on the browser's locale: the value is set as a date picker sets it
        js("""
                document.getElementById('from').value = arguments[0];
                document.getElementById('to').value = arguments[1];
                document.getElementById('to').dispatchEvent(new Event('change'));""", from.toString(), to.toString());
        rendered(before);
        assertKpis(from, to, null);
        String url = browser.driver.getCurrentUrl();
        assertTrue(url.contains("range=custom") && url.contains("from=" + from) && url.contains("to=" + to), url);
        before = renders();
        new Select(browser.driver.findElement(By.id("range"))).selectByValue("7d");
        rendered(before);
    }

    @Test
    @Order(10)
    void phoneWidthAndDarkMode() {
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        browser.driver.navigate().refresh();
        rendered(0);
        assertTrue((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling on a phone");
        browser.screenshot("phone");
        browser.driver.manage().window().setSize(new Dimension(1280, 900));
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        browser.driver.navigate().refresh();
        rendered(0);
        assertEquals("rgb(18, 22, 29)", js("return getComputedStyle(document.body).backgroundColor"), "dark colours");
        browser.screenshot("dark");
        browser.driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    @Test
    @Order(11)
    void firstRenderIsFastAndAssetsAreSmallAndLocal() throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            browser.driver.navigate().refresh();
            rendered(0);
            times.add(((Number) js("return window.pulseFirstRender")).doubleValue());
        }
        List<Double> sorted = times.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);

        @SuppressWarnings("unchecked")
        List<String> assets = (List<String>) js("return [location.href, ...performance.getEntriesByType('resource')"
                + ".map((e) => e.name).filter((n) => !n.includes('/v1/'))]");
        @SuppressWarnings("unchecked")
        List<String> all = (List<String>) js("return performance.getEntriesByType('resource').map((e) => e.name)");
        String origin = root.getProtocol() + "://" + root.getAuthority() + "/";
        all.forEach(n -> assertTrue(n.startsWith(origin), "a request to another origin: " + n));
        HttpClient http = HttpClient.newHttpClient();
        long raw = 0;
        long gzipped = 0;
        Set<String> distinct = new HashSet<>();
        for (String asset : assets) {
            String path = URI.create(asset).getPath();
            if (!distinct.add(path)) {
                continue;
            }
            byte[] body = http.send(HttpRequest.newBuilder(URI.create(origin).resolve(path)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            raw += body.length;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write(body);
            }
            gzipped += out.size();
        }
        long wire = ((Number) js("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                + ".filter((e) => !e.name.includes('/v1/')).reduce((sum, e) => sum + e.encodedBodySize, 0)")).longValue();
        String figures = String.format("dashboard first render (all panels settled, from navigation start), median of %d loads: %.0f ms "
                + "(min %.0f, max %.0f); %d assets: %d bytes, %d bytes gzipped (%d bytes as served, compressed by query-api)%n",
                times.size(), median, sorted.get(0), sorted.get(sorted.size() - 1), distinct.size(), raw, gzipped, wire);
        System.out.print(figures);
        Files.writeString(Path.of("target", "dashboard-figures.txt"), figures);
        assertTrue(gzipped < 300 * 1024, figures);
        assertTrue(wire < 300 * 1024, "query-api serves the assets compressed: " + figures);
        given().when().get("/").then().statusCode(200)
                .header("Content-Security-Policy", org.hamcrest.Matchers.startsWith("default-src 'self'"));
        assertTrue(distinct.size() >= 10, "the page and its modules: " + distinct);
        // the target is 1 s on the local stack; a loaded CI machine gets slack, a broken page (timeouts, serial requests) does not
        assertTrue(median < 3_000, figures);
    }
    /** The funnel panel shows the API's answer for the steps typed in, over the range shown, with the filters on every step. */
    @Test
    @Order(12)
    void funnelStepsEqualTheApi() {
        WebElement steps = browser.driver.findElement(By.id("funnel-steps"));
        steps.clear();
        steps.sendKeys("feed.view, feed.like,  purchase", Keys.ENTER);
        await().atMost(WAIT).until(() -> "ready".equals(js("return document.getElementById('funnel').dataset.state"))
                && tableOf("#funnel").size() == 3 && "purchase".equals(tableOf("#funnel").get(2).get(1)));
        assertTrue(browser.driver.getCurrentUrl().contains("funnel=feed.view%2Cfeed.like%2Cpurchase"), browser.driver.getCurrentUrl());
        String from = browser.driver.findElement(By.id("from")).getDomProperty("value");
        String to = browser.driver.findElement(By.id("to")).getDomProperty("value");
        JsonNode answer = read(given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                .body("{\"app\":\"" + app + "\",\"steps\":[{\"event\":\"feed.view\"},{\"event\":\"feed.like\"},{\"event\":\"purchase\"}],"
                        + "\"window\":\"7d\",\"date_range\":[\"" + from + "\",\"" + to + "\"]}")
                .when().post("/v1/funnel").then().statusCode(200).extract().asString());
        List<List<Double>> expected = new ArrayList<>();
        answer.at("/results/0/steps").forEach(step -> expected.add(java.util.stream.Stream.of("step", "users", "conversion_from_first",
                "conversion_from_previous", "drop_off", "median_seconds_from_previous").map(f -> step.get(f).isNull() ? null : step.get(f).asDouble()).toList()));
        List<List<Double>> shown = tableOf("#funnel").stream().map(r -> java.util.stream.Stream.of(r.get(0), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6))
                .map(v -> v.isEmpty() ? null : Double.valueOf(v)).toList()).toList();
        assertEquals(expected, shown);
        assertTrue(expected.get(1).get(1) > 0, "the fixture has users who liked after viewing");
        screenshotPanel("funnel", "funnel");
    }
}
