package dev.pulse.query;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * Headless Chromium from the machine's packages (Debian: {@code chromium} and {@code chromium-driver}), driven
 * through its own chromedriver: Selenium is given both paths, so its Selenium Manager never downloads anything.
 */
final class Chromium implements AutoCloseable {
    static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";
    /** As root, or through sudo without a password prompt (nobody is there to type it): `./mvnw verify` sets up its own browser. */
    private static final String INSTALL_AS_ROOT = "s=''; [ \"$(id -u)\" -eq 0 ] || s='sudo -n'; "
            // another install on the machine (a parallel build) holds dpkg's lock for a while: wait for it, don't fail
            + "$s apt-get -o DPkg::Lock::Timeout=600 update -qq && $s env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
            + " install -y -qq chromium chromium-driver";
    private static final Path BINARY = Path.of(System.getenv().getOrDefault("PULSE_CHROMIUM", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getenv().getOrDefault("PULSE_CHROMEDRIVER", "/usr/bin/chromedriver"));

    final ChromeDriver driver;
    final Path downloads;
    private final Path screenshots;

    Chromium(Path target) {
        if (!installed()) {
            install(target);
        }
        if (!installed()) {
            throw new IllegalStateException("The dashboard's browser test needs Chromium and its driver at " + BINARY + " and " + DRIVER
                    + " (or set PULSE_CHROMIUM / PULSE_CHROMEDRIVER); installing them failed (see " + target.resolve("chromium-install.log")
                    + "). Install them with: " + INSTALL);
        }
        try {
            downloads = Files.createDirectories(target.resolve("downloads"));
            screenshots = Files.createDirectories(target.resolve("screenshots"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        // root in CI containers needs --no-sandbox; the rest keeps Chromium from calling any Google service
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-default-apps", "--metrics-recording-only", "--lang=en-US");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(), "download.prompt_for_download", false));
        driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        // every page records its script errors and Content-Security-Policy violations, for errors() to report
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                window.pageErrors = [];
                addEventListener('error', (e) => pageErrors.push(`error: ${e.message}`));
                addEventListener('unhandledrejection', (e) => pageErrors.push(`unhandled: ${e.reason}`));
                document.addEventListener('securitypolicyviolation', (e) => pageErrors.push(`CSP: ${e.violatedDirective} ${e.blockedURI}`));"""));
    }

    private static boolean installed() {
        return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    }

    /**
     * Debian's packages, the only browser this machine may have (no browser download from elsewhere). apt's output goes
     * to a file: the test JVM's own stdout is the build tool's channel, not a terminal.
     */
    private static void install(Path target) {
        Path log = target.resolve("chromium-install.log");
        System.out.println("Chromium or chromedriver missing, running: " + INSTALL + " (output in " + log + ")");
        try {
            Files.createDirectories(target);
            Process apt = new ProcessBuilder("sh", "-c", INSTALL_AS_ROOT).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectOutput(log.toFile()).start();
            if (!apt.waitFor(15, java.util.concurrent.TimeUnit.MINUTES)) {
                apt.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Script errors and CSP violations of the current page so far. */
    Object errors() {
        return driver.executeScript("return window.pageErrors");
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    void screenshot(WebElement element, String name) {
        write(name + ".png", element.getScreenshotAs(OutputType.BYTES));
    }

    void screenshot(String name) {
        write(name + ".png", ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** The visible part of the page as a JPEG, small enough for the README. */
    Path jpeg(String name, int quality) {
        Object data = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "jpeg", "quality", quality)).get("data");
        return write(name + ".jpg", Base64.getDecoder().decode((String) data));
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(screenshots.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
