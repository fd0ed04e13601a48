package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page and the browser client in a real headless Chromium against the WAR on embedded
 * Tomcat: the page connects and shows the server clock, sees the server go away on undeploy,
 * and comes back by itself (no reload) when the WAR is deployed again; the "Drop connection"
 * button; a topic round trip with presence between the page and a Java client.
 *
 * <p>The page gets short backoff through its query string ({@code ?minDelay=200&maxDelay=1000},
 * see docs/client.md) and the server short timings ({@link TestSettings}, a time push every
 * 200 ms) plus {@code shutdownSpread} 300 ms. Every wait polls the DOM with a bound; none sleeps.
 * Tomcat-only: it deploys and undeploys in the embedded container, like {@link RedeployIT}.
 * Needs /usr/bin/chromium and /usr/bin/chromedriver and fails without them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("tomcat-only")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrowserIT {

    private static final String APP = "browser";
    private static final String TOPIC = "browser-it";
    private static final String PAGE_OPTIONS = "minDelay=200&maxDelay=1000";
    /** Bound of any one wait; the expected times are well under a second or two. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOPIC_ITEM = "#topic-list li[data-topic='" + TOPIC + "']";

    private static Browser browser;

    @ArquillianResource
    private Deployer deployer;
    private boolean deployed;

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive app() {
        Map<String, String> settings = new HashMap<>(TestSettings.PROPERTIES);
        settings.put(Setting.SHUTDOWN_SPREAD.propertyName(), "300");
        return ContainerSupport.pulseWar("pulse.war", settings).addClass(TopicEcho.class);
    }

    /** The host application of this test: publishes every client topic message to its topic. */
    @WebListener
    public static class TopicEcho implements ServletContextListener {
        private Registration registration;

        @Override
        public void contextInitialized(ServletContextEvent event) {
            Pulse pulse = Pulse.get();
            registration = pulse.onMessage(message -> {
                if (message.topic() != null) {
                    pulse.publish(message.topic(), message.data());
                }
            });
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            registration.remove();
        }
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

    @AfterEach
    void undeployLeftover() {
        if (deployed) {
            undeploy();
        }
    }

    private void deploy() {
        deployer.deploy(APP);
        deployed = true;
    }

    private void undeploy() {
        deployed = false;
        deployer.undeploy(APP);
    }

    private static String base() {
        return "http://localhost:" + Integer.getInteger("pulse.it.tomcat.port") + "/pulse/";
    }

    // ---------------------------------------------------------------- page readers

    private static String state() {
        return browser.attr("#state", "data-state");
    }

    private static int timeCount() {
        return browser.intAttr("#server-time", "data-time-count");
    }

    private static int reconnects() {
        return Integer.parseInt(browser.text("#reconnects"));
    }

    private static boolean marked() {
        return Long.valueOf(1).equals(browser.script("return window.__noReload === 1 ? 1 : 0;"));
    }

    /** Opens the page and waits for open, three time pushes and a server clock; marks the window. */
    private static void openPage(String query) {
        browser.open(base() + "?" + query);
        browser.await("the page to connect (state open)", WAIT, () -> "open".equals(state()));
        browser.await("3 time pushes", WAIT, () -> timeCount() >= 3);
        assertTrue(browser.text("#server-time").matches("\\d{2}:\\d{2}:\\d{2}\\.\\d"),
                "server clock shown: " + browser.text("#server-time"));
        assertNotEquals("–", browser.text("#offset"), "a clock offset is known");
        browser.script("window.__noReload = 1;");
    }

    private static int topicAttr(String name) {
        return browser.intAttr(TOPIC_ITEM, name);
    }

    // ---------------------------------------------------------------- tests

    @Test
    void pageComesBackByItselfAfterUndeployAndDeploy() {
        deploy();
        openPage(PAGE_OPTIONS + "&topic=" + TOPIC);
        browser.await("the topic subscribed with presence", WAIT, () -> topicAttr("data-members") == 1);
        int reconnectsBefore = reconnects();
        int subscribedBefore = topicAttr("data-subscribed");

        undeploy();
        browser.await("the page to see the server go (state reconnecting)", WAIT, () -> "reconnecting".equals(state()));
        browser.await("a 1001 close in the event log", WAIT,
                () -> browser.logEntries("close").stream().anyMatch(e -> e.contains("1001")));
        assertNotEquals("–", browser.text("#last-disconnect"), "last disconnect shown");
        int timesAtOutage = timeCount();

        deploy();
        browser.await("the page to reconnect by itself", WAIT, () -> "open".equals(state()) && reconnects() > reconnectsBefore);
        assertTrue(marked(), "no reload: the window marker is still there");
        assertEquals(reconnectsBefore + 1, reconnects(), "one reconnection");
        browser.await("time pushes to resume", WAIT, () -> timeCount() >= timesAtOutage + 3);
        browser.await("the topic subscribed again by itself, fresh member list", WAIT,
                () -> topicAttr("data-subscribed") > subscribedBefore && topicAttr("data-members") == 1);

        // the new session really holds the subscription: a round trip through the server
        browser.type("#topic", TOPIC);
        browser.type("#message", "after the redeploy");
        browser.click("#send");
        browser.await("the page's message back through the topic", WAIT, () -> topicAttr("data-messages") == 1);
        assertTrue(browser.text(TOPIC_ITEM).contains("after the redeploy"), browser.text(TOPIC_ITEM));
        assertTrue(marked(), "still no reload");
    }

    @Test
    void dropButtonReconnectsAndTimeResumes() {
        deploy();
        openPage(PAGE_OPTIONS);
        int reconnectsBefore = reconnects();
        int timesBefore = timeCount();

        browser.click("#drop");
        browser.await("the drop in the event log", WAIT,
                () -> browser.logEntries("close").stream().anyMatch(e -> e.contains("dropped by client")));
        browser.await("the page to reconnect by itself", WAIT, () -> "open".equals(state()) && reconnects() > reconnectsBefore);
        assertTrue(browser.logEntries("state").stream().anyMatch(e -> e.contains("open → reconnecting")),
                "went through reconnecting: " + browser.logEntries("state"));
        assertTrue(browser.text("#last-disconnect").contains("dropped"), browser.text("#last-disconnect"));
        browser.await("time pushes to resume", WAIT, () -> timeCount() >= timesBefore + 3);
        assertTrue(marked(), "no reload");
    }

    @Test
    void topicRoundTripAndPresenceWithAnotherClient() throws Exception {
        deploy();
        openPage(PAGE_OPTIONS + "&topic=" + TOPIC);
        browser.await("the page alone on the topic", WAIT, () -> topicAttr("data-members") == 1);

        URI endpoint = URI.create("ws://localhost:" + Integer.getInteger("pulse.it.tomcat.port") + "/pulse/ws");
        try (TestClient peer = TestClient.connect(endpoint)) {
            peer.nextOfType("welcome", 5_000);
            peer.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\",\"presence\":true}");
            JsonObject subscribed = peer.nextOfType("subscribed", 5_000);
            assertEquals(2, subscribed.getJsonArray("members").size(), "the page and the peer: " + subscribed);
            browser.await("the peer's join on the page", WAIT, () -> topicAttr("data-members") == 2);

            // page -> server (TopicEcho publishes) -> peer and page
            browser.type("#topic", TOPIC);
            browser.type("#message", "hello from chromium");
            browser.click("#send");
            JsonObject fromPage = peer.nextMatching(o -> "message".equals(o.getString("type", null)), 5_000);
            assertEquals(TOPIC, fromPage.getString("topic"));
            assertEquals("hello from chromium", fromPage.getString("data"));
            browser.await("the page's own message back", WAIT, () -> topicAttr("data-messages") == 1);

            // peer -> server -> page
            peer.send("{\"type\":\"message\",\"topic\":\"" + TOPIC + "\",\"data\":\"hello from java\"}");
            browser.await("the peer's message on the page", WAIT, () -> topicAttr("data-messages") == 2);
            assertTrue(browser.text(TOPIC_ITEM).contains("hello from java"), browser.text(TOPIC_ITEM));
        }
        browser.await("the peer's leave on the page", WAIT, () -> topicAttr("data-members") == 1);

        browser.click(TOPIC_ITEM + " button[data-unsubscribe]");
        browser.await("the server's unsubscribed", WAIT,
                () -> browser.logEntries("unsubscribed").stream().anyMatch(e -> e.contains(TOPIC)));
        assertTrue(browser.findAll(TOPIC_ITEM).isEmpty(), "topic gone from the page");
    }
}
