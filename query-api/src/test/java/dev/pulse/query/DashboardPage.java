package dev.pulse.query;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dashboard as the browser tests see it: signing in, waiting for the panels to settle, reading their tables. */
final class DashboardPage {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Chromium browser;
    private final URL root;

    DashboardPage(Chromium browser, URL root) {
        this.browser = browser;
        this.root = root;
    }

    Object js(String script, Object... args) {
        return browser.js(script, args);
    }

    /** How many times every panel has been rendered since the page loaded (body[data-renders]). */
    long renders() {
        return Long.parseLong(js("return document.body.dataset.renders || '0'").toString());
    }

    /** Waits until every panel has settled after the render that follows `before`. */
    void rendered(long before) {
        await().atMost(WAIT).until(() -> renders() > before && "false".equals(js("return document.body.dataset.busy")));
        assertEquals(List.of(), browser.errors(), "no script error, no blocked request");
    }

    /** Opens the page and submits the sign-in form, by keyboard. */
    void signIn(String app, String readToken) {
        browser.driver.get(root.toString());
        await().atMost(WAIT).until(() -> browser.driver.findElement(By.id("signin-app")).isDisplayed());
        browser.driver.findElement(By.id("signin-app")).sendKeys(app);
        browser.driver.findElement(By.id("signin-token")).sendKeys(readToken, Keys.ENTER);
    }

    /** The raw values (data-value) of the rows of the first table under `selector`. */
    @SuppressWarnings("unchecked")
    List<List<String>> tableOf(String selector) {
        return (List<List<String>>) js("""
                const t = document.querySelector(arguments[0] + ' table');
                return t ? [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.dataset.value)) : [];""", selector);
    }

    /** Clicks a CSV button and returns the file the browser saved (deleted from the downloads folder once read). */
    String download(String buttonSelector) throws IOException {
        String name = (String) js("""
                const button = document.querySelector(arguments[0]);
                let name = null;
                const original = HTMLAnchorElement.prototype.click;
                HTMLAnchorElement.prototype.click = function () { name = this.download; return original.call(this); };
                button.click();
                HTMLAnchorElement.prototype.click = original;
                return name;""", buttonSelector);
        Path file = browser.downloads.resolve(name);
        await().atMost(WAIT).until(() -> Files.exists(file) && !Files.exists(browser.downloads.resolve(name + ".crdownload")));
        String text = Files.readString(file);
        Files.delete(file);
        return text;
    }

    /** A panel's data-state: loading, ready, empty or error. */
    String state(String panelId) {
        return (String) js("return document.getElementById(arguments[0]).dataset.state", panelId);
    }

    /** A panel's status line, as shown. */
    String status(String panelId) {
        return (String) js("return document.querySelector('#' + arguments[0] + ' .status').textContent", panelId);
    }
}
