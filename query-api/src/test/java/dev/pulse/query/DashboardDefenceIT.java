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
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.Select;

import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard under attack and under failure, in headless Chromium: values that anyone can send through ingest
 * (traits, hosts, content ids, event names, rejection reasons) carrying HTML, script and spreadsheet formulas; a
 * token revoked mid-session; sign-out; the network and the server failing; an app without data.
 */
@QuarkusTest
@WithTestResource(PulseInfrastructure.WithoutKafka.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardDefenceIT {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "<img src=x onerror=\"window.pwned='user'\">";
    private static final String EVENT = "<script>window.pwned='event'</script>";
    private static final String HOST = "\"><img src=x onerror=window.pwned='host'>";
    private static final String CONTENT = "<svg onload=\"window.pwned='content'\"></svg>";
    private static final String REASON = "<img src=x onerror=\"window.pwned='reason'\">";
    /** Cities as sent, and as their CSV cell must read after parsing: formulas get a leading quote (OWASP), the rest stays. */
    private static final Map<String, String> CITIES = Map.of(
            "<img src=x onerror=\"window.pwned='city'\">", "<img src=x onerror=\"window.pwned='city'\">",
            "<script>window.pwned='city2'</script>", "<script>window.pwned='city2'</script>",
            "=HYPERLINK(\"http://evil.test\",\"x\")", "'=HYPERLINK(\"http://evil.test\",\"x\")",
            "+SUM(1,1)", "'+SUM(1,1)",
            "-2+3", "'-2+3",
            "@SUM(1)", "'@SUM(1)",
            "\t=1+1", "'\t=1+1",
            "a,\"b\"\nc", "a,\"b\"\nc",
            "-5", "-5");
    private static String app;
    private static String token;
    private static Chromium browser;

    @TestHTTPResource("/")
    URL root;

    @Inject
    RedisDataSource redis;

    private DashboardPage page;

    @BeforeAll
    static void load() throws Exception {
        app = TestData.newAppId();
        token = TestData.createApp(PulseInfrastructure.current().dataSource(), app, ZONE.getId());
        hostileData();
        browser = new Chromium(Path.of("target"));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void page() {
        page = new DashboardPage(browser, root);
    }

    /** One user per city, user i with i + 1 page views of the hostile host and content; the first user's traits and devices. */
    private static void hostileData() throws Exception {
        Instant ts = Instant.now().minusSeconds(60);
        LocalDate day = ts.atZone(ZONE).toLocalDate();
        List<String> cities = new ArrayList<>(CITIES.keySet());
        try (Connection c = PulseInfrastructure.current().dataSource().getConnection();
             PreparedStatement event = c.prepareStatement("""
                     INSERT INTO events (app_id, event_date, event_id, event_ts, received_at, event, category, user_id, city, host, content_id)
                     VALUES (?, ?, gen_random_uuid(), ?, ?, ?, 'engagement', ?, ?, ?, ?)""");
             PreparedStatement first = c.prepareStatement("INSERT INTO user_first_seen (app_id, user_id, first_date, first_ts) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < cities.size(); i++) {
                String user = i == 0 ? USER : "h" + i;
                for (int n = 0; n <= i; n++) {
                    event.setString(1, app);
                    event.setObject(2, day);
                    event.setTimestamp(3, Timestamp.from(ts));
                    event.setTimestamp(4, Timestamp.from(ts));
                    event.setString(5, i == 0 ? EVENT : "page_view");
                    event.setString(6, user);
                    event.setString(7, cities.get(i));
                    event.setString(8, HOST);
                    event.setString(9, CONTENT);
                    event.addBatch();
                }
                first.setString(1, app);
                first.setString(2, user);
                first.setObject(3, day);
                first.setTimestamp(4, Timestamp.from(ts));
                first.addBatch();
            }
            event.executeBatch();
            first.executeBatch();
            QueryFixture.rollUp(c, app);
            try (PreparedStatement traits = c.prepareStatement("""
                    INSERT INTO dim_users (app_id, user_id, os, source, city, version, valid_from, is_current)
                    VALUES (?, ?, ?, ?, ?, 1, now(), true)""");
                 PreparedStatement devices = c.prepareStatement("""
                         INSERT INTO user_devices_cumulated (app_id, user_id, device, browser, dates_active) VALUES (?, ?, ?, ?, ARRAY[?::date])""");
                 PreparedStatement invalid = c.prepareStatement("""
                         INSERT INTO invalid_events (source_partition, source_offset, app_id, reason, error, payload, rejected_at)
                         VALUES (9998, ?, ?, ?, 'refused by the test', '{}', now())""")) {
                traits.setString(1, app);
                traits.setString(2, USER);
                traits.setString(3, EVENT);
                traits.setString(4, "=1+1");
                traits.setString(5, cities.get(0));
                traits.executeUpdate();
                devices.setString(1, app);
                devices.setString(2, USER);
                devices.setString(3, HOST);
                devices.setString(4, CONTENT);
                devices.setString(5, day.toString());
                devices.executeUpdate();
                invalid.setLong(1, Math.abs(new Random().nextLong() % 1_000_000_000L));
                invalid.setString(2, app);
                invalid.setString(3, REASON);
                invalid.executeUpdate();
            }
        }
    }

    private void realtime(String content) {
        long minute = Instant.now().getEpochSecond() / 60;
        redis.value(Long.class).incrby(RedisKeys.events(app, minute), 3);
        redis.hyperloglog(String.class).pfadd(RedisKeys.users(app, minute), USER);
        redis.sortedSet(String.class).zincrby(RedisKeys.topContent(app, minute), 3, content);
    }

    private JsonNode apiCityBreakdown() throws Exception {
        LocalDate today = LocalDate.now(ZONE);
        String body = "{\"app\":\"" + app + "\",\"metrics\":[\"active_users\",\"events\"],\"date_range\":[\"" + today.minusDays(6)
                + "\",\"" + today + "\"],"
                + "\"dimensions\":[\"user:city\"],\"order_by\":[[\"events\",\"desc\"]],\"limit\":10}";
        return JSON.readTree(given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body)
                .when().post("/v1/query").then().statusCode(200).extract().asString());
    }

    private void assertNothingRan() {
        assertNull(page.js("return window.pwned ?? null"), "an injected script ran");
        assertEquals(0L, page.js("return document.querySelectorAll('#app img, #app svg, #app script, #signin img').length"),
                "no element was made from data");
    }

    private void signIn(String appId, String readToken) {
        page.signIn(appId, readToken);
        page.rendered(0);
    }

    @Test
    @Order(1)
    void hostileValuesShowAsTextAndRunNothing() {
        realtime(CONTENT);
        signIn(app, token);
        assertNothingRan();
        assertEquals(new java.util.TreeSet<>(CITIES.keySet()),
                new java.util.TreeSet<>(page.tableOf("#breakdown-user-city").stream().map(r -> r.getFirst()).toList()));
        @SuppressWarnings("unchecked")
        List<String> cityLabels = (List<String>) page.js("return [...document.querySelectorAll('#breakdown-user-city .pick')].map((b) => b.textContent)");
        assertEquals(new java.util.TreeSet<>(CITIES.keySet()), new java.util.TreeSet<>(cityLabels), "the labels are the values, as text");
        assertTrue(page.tableOf("#breakdown-event-name").stream().anyMatch(r -> r.getFirst().equals(EVENT)), "the event name");
        assertEquals(HOST, page.tableOf("#breakdown-page-host").getFirst().getFirst());
        assertEquals(CONTENT, page.tableOf("#breakdown-content-id").getFirst().getFirst());
        assertEquals(HOST, browser.driver.findElement(By.id("host")).getDomProperty("value"), "the busiest host");
        assertEquals(List.of(List.of(REASON, "1")), page.tableOf("#quality-reasons"));
        assertEquals(CONTENT, page.tableOf("#rt-content").getFirst().getFirst());
        assertEquals(Boolean.TRUE, page.js("const t = document.querySelector('#breakdown-user-city .table'); return t.scrollWidth <= t.clientWidth"),
                "a long value is cut, the figures stay in view");
        browser.screenshot(browser.driver.findElement(By.id("breakdown-user-city")), "hostile-cities");

        browser.driver.findElement(By.id("user-id")).sendKeys(USER, Keys.ENTER);
        await().atMost(DashboardPage.WAIT).until(() -> "ready".equals(page.state("user")));
        List<List<String>> user = page.tableOf("#user");
        assertTrue(user.contains(List.of("os", EVENT)) && user.contains(List.of("source", "=1+1")), user.toString());
        assertEquals(List.of(HOST, CONTENT), page.tableOf("#user-devices").getFirst().subList(0, 2));

        // picking a hostile row: a chip of text, and a URL that restores exactly that value
        String city = CITIES.keySet().stream().filter(v -> v.startsWith("<img")).findFirst().orElseThrow();
        long before = page.renders();
        page.js("[...document.querySelectorAll('#breakdown-user-city .pick')].find((b) => b.textContent === arguments[0]).click()", city);
        page.rendered(before);
        browser.driver.navigate().refresh();
        page.rendered(0);
        assertEquals(city, browser.driver.findElement(By.cssSelector("#filters .chip")).getDomAttribute("data-value"));
        assertEquals(List.of(city), page.tableOf("#breakdown-user-city").stream().map(r -> r.getFirst()).toList());
        assertEquals(USER, browser.driver.findElement(By.id("user-id")).getDomProperty("value"), "the user lookup is restored too");
        assertNothingRan();
        before = page.renders();
        browser.driver.findElement(By.cssSelector("#filters .chip button")).click();
        page.rendered(before);
    }

    /** RFC 4180: fields separated by commas, quoted when they hold a comma, quote or line break, quotes doubled. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(ch);
            }
        }
        assertTrue(row.isEmpty() && field.isEmpty(), "the file ends with a line break");
        return rows;
    }

    @Test
    @Order(2)
    void csvDownloadsNeutraliseFormulasAndQuoteWhatNeedsIt() throws Exception {
        List<List<String>> expected = new ArrayList<>();
        expected.add(List.of("City", "Users", "Events"));
        apiCityBreakdown().get("results").forEach(r -> expected.add(List.of(CITIES.get(r.get("dimensions").get(0).asText()),
                r.get("metrics").get(0).asText(), r.get("metrics").get(1).asText())));
        assertEquals(CITIES.size() + 1, expected.size());
        String csv = page.download("#breakdown-user-city .csv");
        assertEquals(expected, parseCsv(csv));
        for (String line : csv.split("\r\n")) {
            assertFalse(line.matches("^[=+\\-@\t].*") && !line.matches("^-?\\d+(,.*)?$"), "a line a spreadsheet would run: " + line);
        }
        // the user's traits: a formula in a value cell is neutralised as well
        assertTrue(parseCsv(page.download("#user .csv")).contains(List.of("source", "'=1+1")));
        // the key figures and the app mix over time have their CSV too, equal to what is shown
        @SuppressWarnings("unchecked")
        List<List<String>> cards = (List<List<String>>) page.js("return [...document.querySelectorAll('#kpis .kpi')].map((k) => "
                + "[k.querySelector('.label').textContent, k.querySelector('.value').dataset.value, k.querySelector('.change').dataset.previous])");
        List<List<String>> kpis = parseCsv(page.download("#kpis .csv"));
        assertEquals(cards, kpis.subList(1, kpis.size()));
        List<List<String>> mix = parseCsv(page.download("[data-csv-for=appmix-series]"));
        assertEquals(page.tableOf("#appmix-series"), mix.subList(1, mix.size()));
        assertEquals(List.of("day", "Feed only", "Messenger only", "Both"), mix.getFirst());
    }

    @Test
    @Order(3)
    void theContentSecurityPolicyBlocksInlineScriptAndThePageHasNone() {
        String csp = given().when().get("/").then().statusCode(200).extract().header("Content-Security-Policy");
        assertTrue(csp.startsWith("default-src 'self'") && !csp.contains("unsafe-") && !csp.contains("script-src"), csp);
        String html = given().when().get("/").then().extract().asString();
        assertFalse(html.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "every script is a file");
        assertFalse(html.matches("(?s).*\\son[a-z]+=.*"), "no inline event handler");
        assertFalse(html.matches("(?s).*\\sstyle=.*"), "no inline style");
        page.js("""
                const s = document.createElement('script');
                s.textContent = 'window.pwned = "inline"';
                document.body.append(s);""");
        await().atMost(DashboardPage.WAIT).until(() -> browser.errors().toString().contains("CSP: script-src"));
        assertNothingRan();
        page.js("window.pageErrors.length = 0; document.querySelector('body > script:last-of-type').remove()");
    }

    @Test
    @Order(4)
    void aTokenRevokedMidSessionReturnsToSignInWithAMessage() {
        assertTrue(browser.driver.findElement(By.id("app")).isDisplayed(),
                "signed in before the token is revoked: " + browser.driver.findElement(By.id("signin-error")).getText());
        page.js("sessionStorage.setItem('pulse.session', JSON.stringify({ app: arguments[0], token: 'pr_revoked' }))", app);
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("week");
        await().atMost(DashboardPage.WAIT).until(() -> browser.driver.findElement(By.id("signin-error")).isDisplayed());
        assertTrue(browser.driver.findElement(By.id("signin-error")).getText().contains("no longer accepted (401)"));
        assertFalse(browser.driver.findElement(By.id("app")).isDisplayed());
        assertNull(page.js("return sessionStorage.getItem('pulse.session')"), "the refused token is forgotten");
        assertEquals(app, browser.driver.findElement(By.id("signin-app")).getDomProperty("value"), "the app id stays filled in");
        browser.screenshot("signin-revoked");
    }

    @Test
    @Order(5)
    void theTokenStaysInSessionStorageAndSigningOutForgetsIt() {
        signIn(app, token);
        long before = page.renders();
        new Select(browser.driver.findElement(By.id("range"))).selectByValue("30d");
        page.rendered(before);
        before = page.renders();
        browser.driver.findElement(By.cssSelector("#breakdown-user-city .pick")).click();
        page.rendered(before);
        @SuppressWarnings("unchecked")
        List<String> requests = (List<String>) page.js("return [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]");
        assertTrue(requests.stream().noneMatch(r -> r.contains(token)), "the token is in no URL");
        assertTrue(browser.driver.manage().getCookies().isEmpty(), "no cookie");
        assertEquals(0L, page.js("return localStorage.length"));
        assertTrue(page.js("return sessionStorage.getItem('pulse.session')").toString().contains(token));

        browser.driver.findElement(By.id("signout")).click();
        assertTrue(browser.driver.findElement(By.id("signin")).isDisplayed());
        assertNull(page.js("return sessionStorage.getItem('pulse.session')"));
        // back to the tab: signed out, nothing refreshes and the sign-in form is left alone
        browser.driver.findElement(By.id("signin-token")).sendKeys("half-typed");
        page.js("document.dispatchEvent(new Event('visibilitychange'))");
        browser.driver.executeAsyncScript("setTimeout(arguments[0], 0)");
        assertFalse(browser.driver.findElement(By.id("signin-error")).isDisplayed(), "no error while signed out");
        assertEquals("half-typed", browser.driver.findElement(By.id("signin-token")).getDomProperty("value"));
        assertEquals(List.of(), browser.errors());
    }

    private static final List<String> FETCHING = List.of("kpis", "series", "breakdown-user-city", "breakdown-event-name", "appmix",
            "realtime", "retention", "hosts", "quality");

    @Test
    @Order(6)
    void failuresAreShownInWordsPanelByPanel() {
        signIn(app, token);
        // the network goes away
        browser.driver.executeCdpCommand("Network.enable", Map.of());
        browser.driver.executeCdpCommand("Network.emulateNetworkConditions",
                Map.of("offline", true, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
        long before = page.renders();
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("week");
        page.rendered(before);
        for (String panel : FETCHING) {
            assertEquals("error", page.state(panel), panel);
            assertTrue(page.status(panel).startsWith("No answer: the server did not answer"), panel + ": " + page.status(panel));
        }
        assertFalse(browser.driver.findElement(By.cssSelector("#retention .table")).isDisplayed(), "no stale data next to an error");
        assertFalse(browser.driver.findElement(By.cssSelector("#retention .csv")).isEnabled(), "nor its CSV");
        browser.screenshot("offline");
        browser.driver.executeCdpCommand("Network.emulateNetworkConditions",
                Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));

        // the server fails on some endpoints only (answers it cannot be made to give on purpose, so the page's fetch gives them)
        page.js("""
                window.realFetch = window.fetch;
                window.fetch = (input, init) => {
                  const path = new URL(input, location.href).pathname;
                  if (path === '/v1/retention') return Promise.resolve(new Response('', { status: 500 }));
                  if (path === '/v1/quality') return Promise.resolve(new Response('<html>bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
                  if (path === '/v1/realtime') return Promise.resolve(new Response(JSON.stringify({ title: 'Too Many Requests', status: 429, detail: 'slow down' }),
                    { status: 429, headers: { 'Content-Type': 'application/problem+json' } }));
                  return window.realFetch(input, init);
                };""");
        before = page.renders();
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("day");
        page.rendered(before);
        assertEquals("The server failed (500): no details given. Reload to try again.", page.status("retention"));
        assertEquals("The server failed (502): no details given. Reload to try again.", page.status("quality"));
        assertTrue(page.status("realtime").startsWith("Too many requests (429): slow down."), page.status("realtime"));
        for (String panel : List.of("kpis", "series", "breakdown-user-city", "appmix", "hosts")) {
            assertFalse("error".equals(page.state(panel)), panel + " is not affected: " + page.status(panel));
        }
        browser.screenshot("server-errors");
        page.js("window.fetch = window.realFetch");
        before = page.renders();
        new Select(browser.driver.findElement(By.id("interval"))).selectByValue("week");
        page.rendered(before);
        assertEquals("ready", page.state("retention"));
        assertTrue(browser.driver.findElement(By.cssSelector("#retention .csv")).isEnabled());
    }

    @Test
    @Order(7)
    void anAppWithoutDataShowsEmptyStatesInWords() {
        page.js("sessionStorage.clear()");
        String empty = TestData.newAppId();
        String emptyToken = TestData.createApp(PulseInfrastructure.current().dataSource(), empty, "UTC");
        signIn(empty, emptyToken);
        assertEquals("ready", page.state("kpis"));
        @SuppressWarnings("unchecked")
        List<Double> cards = (List<Double>) page.js("return [...document.querySelectorAll('#kpis .value')].map((v) => Number(v.dataset.value) + 0.5)");
        assertEquals(List.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5), cards, "every key figure is 0");
        @SuppressWarnings("unchecked")
        List<String> panels = (List<String>) page.js("return [...document.querySelectorAll('[data-panel]')].map((p) => p.id).filter((id) => id !== 'kpis')");
        for (String panel : panels) {
            assertEquals("empty", page.state(panel), panel);
            assertFalse(page.status(panel).isBlank(), panel + " says why it is empty");
        }
        assertEquals("No data for this selection.", page.status("breakdown-user-city"));
        assertEquals("No new users in this range, so no cohorts.", page.status("retention"));
        browser.screenshot("empty-app");
    }
}
