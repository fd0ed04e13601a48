package dev.pulse;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven through chromedriver, for browser tests of the demo page. One per
 * test class; every method is for the test thread. {@link #close()} quits the browser, stops the
 * driver service and deletes the throw-away profile, whatever failed before.
 *
 * <pre>{@code
 * try (Browser browser = Browser.start()) {
 *     browser.open("http://localhost:8080/pulse/");
 *     browser.await("state open", Duration.ofSeconds(10), () -> browser.attr("#state", "data-state").equals("open"));
 * }
 * }</pre>
 */
final class Browser implements AutoCloseable {

    /** Where CI installs them ({@code apt-get install -y chromium chromium-driver}); overridable for other machines. */
    static final File CHROMIUM = new File(System.getProperty("pulse.it.chromium", "/usr/bin/chromium"));
    static final File CHROMEDRIVER = new File(System.getProperty("pulse.it.chromedriver", "/usr/bin/chromedriver"));

    private static final Duration POLL = Duration.ofMillis(50);

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Starts Chromium. Fails the test (never skips it) when Chromium or chromedriver is missing:
     * a browser test that silently does not run proves nothing.
     */
    static Browser start() throws IOException {
        requireExecutable(CHROMIUM, "Chromium", "pulse.it.chromium");
        requireExecutable(CHROMEDRIVER, "chromedriver", "pulse.it.chromedriver");
        Path profile = Files.createTempDirectory("pulse-chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        try {
            service.start();
            return new Browser(service, new ChromeDriver(service, options), profile);
        } catch (RuntimeException | IOException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    private static void requireExecutable(File file, String what, String property) {
        if (!file.canExecute()) {
            fail(what + " not found at " + file + ": the browser test needs it (apt-get install -y chromium"
                    + " chromium-driver, as .ci/run does) or -D" + property + "=PATH. It fails rather than skips.");
        }
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    String text(String css) {
        return find(css).getText();
    }

    /** The attribute, or "" if the element has none. */
    String attr(String css, String name) {
        String value = find(css).getDomAttribute(name);
        return value == null ? "" : value;
    }

    /** The attribute as a number; -1 if it is absent or empty. */
    int intAttr(String css, String name) {
        String value = attr(css, name);
        return value.isEmpty() ? -1 : Integer.parseInt(value);
    }

    void click(String css) {
        find(css).click();
    }

    /** Replaces the text of an input. */
    void type(String css, String text) {
        WebElement input = find(css);
        input.clear();
        input.sendKeys(text);
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Texts of the event-log entries of the demo page with that {@code data-event}, newest first. */
    List<String> logEntries(String event) {
        return findAll("#log li[data-event='" + event + "']").stream().map(WebElement::getText).toList();
    }

    /**
     * Polls {@code condition} (every 50 ms, reading the DOM) until it holds; fails with the page's
     * state, its newest log entries and the browser console when {@code timeout} passes. An
     * element that is missing or being replaced counts as "not yet".
     */
    void await(String what, Duration timeout, BooleanSupplier condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, POLL);
        wait.ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class);
        try {
            wait.until(d -> condition.getAsBoolean());
        } catch (TimeoutException e) {
            fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + "\n" + diagnostics());
        }
    }

    /** What the page shows, for failure messages. */
    String diagnostics() {
        StringBuilder out = new StringBuilder();
        try {
            out.append("state=").append(attr("#state", "data-state"))
                    .append(" times=").append(attr("#server-time", "data-time-count"))
                    .append(" reconnects=").append(text("#reconnects"))
                    .append(" last-disconnect=").append(text("#last-disconnect"))
                    .append(" url=").append(driver.getCurrentUrl()).append('\n');
            out.append("event log (newest first):\n");
            findAll("#log li").stream().limit(25).forEach(li -> out.append("  ").append(li.getText()).append('\n'));
        } catch (RuntimeException e) {
            out.append("(page not readable: ").append(e).append(")\n");
        }
        try {
            String console = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(LogEntry::toString).collect(Collectors.joining("\n  "));
            out.append("browser console:\n  ").append(console.isEmpty() ? "(empty)" : console);
        } catch (RuntimeException e) {
            out.append("(browser console not available: ").append(e.getMessage()).append(")");
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try {
                service.stop();
            } finally {
                deleteTree(profile);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("browser profile " + root + " not fully deleted (harmless, it is a temp folder): " + e);
        }
    }
}
