package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard page ({@code /pulse/dashboard.html}, docs/dashboard.md) in a real headless Chromium
 * against the WAR on embedded Tomcat: the numbers, bars and charts follow real clients, a silent
 * peer dropped by the sweep and a client's disconnect report; a deployment with
 * {@code statusApi=false} shows "unavailable" with the 404; and the page's poller backoff, rolling
 * window and path builder, imported in the browser and driven with fakes.
 *
 * <p>The server has short timings ({@link TestSettings}: ping 300 ms, pong timeout 300 ms, a time
 * push every 200 ms); the page polls every second (its default). Every wait polls the DOM with a
 * bound; none sleeps. Needs /usr/bin/chromium and /usr/bin/chromedriver and fails without them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("tomcat-only")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardIT {

    private static final String PULSE = "pulse";
    private static final String NO_STATUS = "no-status";
    /** Bound of any one wait: the page polls every second, the sweep drops a silent peer in under one. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String MS = "\\d+(\\.\\d+)? ms";

    private static Browser browser;

    @ArquillianResource
    @OperateOnDeployment(PULSE)
    private URL base;

    @ArquillianResource
    @OperateOnDeployment(NO_STATUS)
    private URL noStatusBase;

    @Deployment(name = PULSE, testable = false)
    static WebArchive pulse() {
        return ContainerSupport.pulseWar();
    }

    @Deployment(name = NO_STATUS, testable = false)
    static WebArchive pulseWithoutStatusApi() {
        Map<String, String> settings = new HashMap<>(TestSettings.PROPERTIES);
        settings.put(Setting.STATUS_API.propertyName(), "false");
        return ContainerSupport.pulseWar("pulse-no-status.war", settings);
    }

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    // ---------------------------------------------------------------- page readers

    /** The element's textContent (getText would apply the CSS text-transform). */
    private static String content(String css) {
        return String.valueOf(browser.script("return document.querySelector(arguments[0]).textContent;", css));
    }

    private static int polls() {
        return browser.intAttr("#updated", "data-polls");
    }

    private static int sessions() {
        return Integer.parseInt(browser.text("#sessions").replace(",", ""));
    }

    /** data-count of a bar in {@code #closed-reasons} or {@code #client-causes}; -1 while it is absent. */
    private static int barCount(String list, String reason) {
        String bar = list + " li[data-reason='" + reason + "']";
        return browser.findAll(bar).isEmpty() ? -1 : browser.intAttr(bar, "data-count");
    }

    private static int chartPoints(String chart, String series) {
        return browser.intAttr("#" + chart + " path[data-series='" + series + "']", "data-points");
    }

    private static int counter(String key) {
        return browser.intAttr("#counters tr[data-counter='" + key + "']", "data-count");
    }

    /** {@link Browser#await} with what the dashboard shows added to the failure message. */
    private static void await(String what, BooleanSupplier condition) {
        try {
            browser.await(what, WAIT, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ndashboard: " + dashboardState(), e);
        }
    }

    private static String dashboardState() {
        try {
            return String.valueOf(browser.script("""
                    const q = (s) => document.querySelector(s);
                    const bars = (s) => [...document.querySelectorAll(s + ' li[data-reason]')]
                        .map((li) => li.dataset.reason + '=' + li.dataset.count).join(' ');
                    return 'status=' + q('#status').dataset.state + ' code=' + q('#status').dataset.code
                        + ' detail="' + q('#status-detail').textContent + '" polls=' + q('#updated').dataset.polls
                        + ' sessions=' + q('#sessions').textContent + ' p50=' + q('#rtt-p50').textContent
                        + ' fanout=' + q('#fanout').textContent + '\\n  closed: ' + bars('#closed-reasons')
                        + '\\n  client causes: ' + bars('#client-causes');
                    """));
        } catch (RuntimeException e) {
            return "(not readable: " + e + ")";
        }
    }

    private static void openDashboard(URL deployment) {
        browser.open(ContainerSupport.http(deployment, "dashboard.html").toString());
    }

    // ---------------------------------------------------------------- tests

    @Test
    void followsSessionsSilentPeersClientReportsAndDrawsCharts() throws Exception {
        int before = ContainerSupport.openSessions(base);
        openDashboard(base);
        await("status ok", () -> "ok".equals(browser.attr("#status", "data-state")));
        assertEquals("ok", content("#status"));
        await("the open sessions of the server (" + before + ")", () -> sessions() == before);
        assertEquals("fallback", browser.text("#scheduler"), "Tomcat has no managed scheduler");

        URI ws = ContainerSupport.ws(base, "ws");
        List<TestClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestClient client = TestClient.connect(ws);
                clients.add(client);
                client.nextOfType("welcome", 5_000);
            }
            await("3 more open sessions", () -> sessions() == before + 3);
            await("RTT p50 and p99 once pongs arrived",
                    () -> browser.text("#rtt-p50").matches(MS) && browser.text("#rtt-p99").matches(MS));
            await("a fan-out time once the time pushes run", () -> browser.text("#fanout").matches(MS));

            try (HostilePeer silent = HostilePeer.upgradeAndGoSilent(ws)) {
                await("the silent peer's heartbeat_timeout bar at 1",
                        () -> barCount("#closed-reasons", "heartbeat_timeout") == 1);
                await("back to 3 more open sessions", () -> sessions() == before + 3);
            }
            assertEquals("1", browser.attr("#closed-reasons li[data-reason='heartbeat_timeout']", "data-window"),
                    "the drop is within the window");
            assertEquals(0, barCount("#closed-reasons", "slow_consumer"), "every server cause has a bar, zero too");

            assertEquals(-1, barCount("#client-causes", "offline"), "no report yet");
            clients.get(0).send("{\"type\":\"disconnect_report\",\"cause\":\"offline\",\"downtimeMs\":1500}");
            await("the client-reported offline bar at 1", () -> barCount("#client-causes", "offline") == 1);

            int polls = polls();
            await("the poll count to keep increasing", () -> polls() >= polls + 2);
            assertEquals(Boolean.TRUE, browser.script(
                    "const u = document.getElementById('updated'); return u.textContent === u.dataset.polls;"),
                    "the poll count as text and as data-polls");
            await("at least 2 points on each chart line",
                    () -> chartPoints("chart-sessions", "sessions") >= 2 && chartPoints("chart-rtt", "p50") >= 2
                            && chartPoints("chart-rtt", "p99") >= 2 && chartPoints("chart-fanout", "fanout") >= 2);
            String path = browser.attr("#chart-sessions path[data-series='sessions']", "d");
            assertTrue(path.matches("M[\\d.]+ [\\d.]+( [ML][\\d.]+ [\\d.]+)+.*"), "a line: " + path);
            String title = content("#chart-sessions-title");
            assertTrue(title.contains("open sessions now " + (before + 3)), "accessible chart title: " + title);
            assertTrue(counter("pingsSent") > 0 && counter("pongsReceived") > 0 && counter("timePushes") > 0,
                    "counters table");
        } finally {
            clients.forEach(TestClient::close);
        }
        await("the three closes counted and sessions back to " + before, () -> sessions() == before
                && barCount("#closed-reasons", "client_closed") + barCount("#closed-reasons", "connection_lost") == 3);
        assertEquals("ok", browser.attr("#status", "data-state"));
    }

    @Test
    void showsStatusUnavailableWithTheHttpCodeWhenTheStatusApiIsOff() {
        openDashboard(noStatusBase);
        await("status unavailable with 404",
                () -> "unavailable".equals(browser.attr("#status", "data-state"))
                        && "404".equals(browser.attr("#status", "data-code")));
        assertEquals("unavailable", content("#status"));
        String detail = browser.text("#status-detail");
        assertTrue(detail.contains("status unavailable: HTTP 404") && detail.contains("statusApi=false"), detail);
        assertEquals(0, polls(), "no successful poll");
        assertEquals("–", browser.text("#sessions"), "no number is made up");
    }

    /**
     * The page's own modules, imported in the browser: the backoff table, a poller driven through
     * 200, 404, 503, two network errors and 200 again with a fake fetch and fake timers, the
     * rolling window (pruning, restart, increase per cause) and a chart path with a gap.
     */
    @Test
    void pollerBackoffWindowAndPathsWithFakes() {
        openDashboard(noStatusBase); // any page of the WAR; its own poller does not matter here
        Object result = browser.script("""
                return (async () => {
                  const at = (path) => new URL(path, document.baseURI).href;
                  const { nextDelay, createPoller } = await import(at('dashboard/poller.js'));
                  const { History } = await import(at('dashboard/history.js'));
                  const { pathData, niceCeiling } = await import(at('dashboard/charts.js'));
                  const options = { intervalMs: 1000, maxDelayMs: 15000 };
                  const table = [0, 1, 2, 3, 4, 5, 6, 50].map((f) => nextDelay(f, options));

                  const answers = [200, 404, 503, 0, 0, 200, 200];
                  const delays = [];
                  const events = [];
                  let next = null;
                  const poller = createPoller({
                    url: 'fake', intervalMs: 1000, maxDelayMs: 3000, timeoutMs: 5000, now: () => 0,
                    fetch: async () => {
                      const code = answers.shift();
                      if (code === 0) throw new TypeError('Failed to fetch');
                      return { ok: code === 200, status: code,
                               headers: new Headers({ 'Content-Type': 'application/json' }),
                               json: async () => ({ sessions: 1 }) };
                    },
                    setTimeout: (fn, ms) => { if (ms !== 5000) { delays.push(ms); next = fn; } return 1; },
                    clearTimeout: () => {},
                    onData: (json) => { events.push('data'); if (events.length === 1) throw new Error('ignored'); },
                    onFailure: (f) => events.push(f.code + '/' + f.failures + '/' + f.retryInMs),
                  });
                  poller.start();
                  while (answers.length > 0 && next) { const run = next; next = null; await run(); }
                  poller.stop();

                  const history = new History(10000);
                  const sample = (t, uptimeMs, closed) => ({ at: t, uptimeMs, sessions: 1, closed, clientCauses: {} });
                  history.add(sample(0, 100, { a: 1 }));
                  history.add(sample(5000, 5100, { a: 2 }));
                  history.add(sample(12000, 12100, { a: 4, b: 1 }));
                  const kept = history.samples.length;
                  const increase = history.increase('closed');
                  const restarted = history.add(sample(13000, 50, { a: 0 }));

                  const path = pathData(
                    [{ at: 0, value: 1 }, { at: 1000, value: 2 }, { at: 5000, value: 2 }, { at: 6000, value: null }],
                    { from: 0, to: 10000, yMax: 2, gapMs: 3000 });
                  return JSON.stringify({ table, delays, events, kept, increase, restarted,
                    afterRestart: history.samples.length, path, nice: [niceCeiling(0), niceCeiling(3), niceCeiling(0.41, 0.1), niceCeiling(120)] });
                })();
                """);
        JsonObject r = TestClient.json(String.valueOf(result));
        assertEquals("[1000,1000,2000,4000,8000,15000,15000,15000]", r.getJsonArray("table").toString(),
                "interval, then doubling per consecutive failure, capped");
        assertEquals("[0,1000,1000,2000,3000,3000,1000,1000]", r.getJsonArray("delays").toString(),
                "a request at once, then the interval; backoff capped at maxDelay; back to the interval after a success");
        assertEquals("[\"data\",\"404/1/1000\",\"503/2/2000\",\"0/3/3000\",\"0/4/3000\",\"data\",\"data\"]",
                r.getJsonArray("events").toString(), "a throwing onData does not stop the polling");
        assertEquals(2, r.getInt("kept"), "the sample older than the window is dropped");
        assertEquals("{\"a\":2,\"b\":1}", r.getJsonObject("increase").toString(), "a new cause counts from 0");
        assertTrue(r.getBoolean("restarted"), "uptime going back is a restart");
        assertEquals(1, r.getInt("afterRestart"), "the history starts again after a restart");
        JsonObject path = r.getJsonObject("path");
        assertEquals("M0.0 80.0 L60.0 0.0 M300.0 0.0 h0", path.getString("d"), "broken at the gap; a lone point is a dot");
        assertEquals(3, path.getInt("drawn"));
        assertEquals("[1,5,0.5,200]", r.getJsonArray("nice").toString());
    }
}
