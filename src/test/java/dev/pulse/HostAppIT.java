package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pulse.testapp.CdiPublishServlet;
import dev.pulse.testapp.CdiPublisher;
import dev.pulse.testapp.PresenceServlet;
import dev.pulse.testapp.PublishServlet;
import dev.pulse.testapp.SessionEvents;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pulse dropped into someone else's application: a "shop" WAR built here with the Pulse classes
 * jar in WEB-INF/lib, the app's own servlets (and, on TomEE, a CDI bean with {@code @Inject Pulse})
 * that publish to a topic, and the app's own session listeners. Runs on Tomcat 11 and TomEE 9.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HostAppIT {

    private static final long PROMPT = 5_000;
    private static final long SHOP_MAX_QUEUED_BYTES = 65_536;

    @ArquillianResource
    private URL base;
    /** Where this test talks to the shop: {@link #base}, or another connector of the same server. */
    private URL app;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive shop() {
        StringBuilder params = new StringBuilder();
        Map<String, String> settings = new HashMap<>(TestSettings.PROPERTIES);
        settings.put(Setting.MAX_QUEUED_BYTES.propertyName(), Long.toString(SHOP_MAX_QUEUED_BYTES));
        settings.forEach((name, value) -> params.append("<context-param><param-name>").append(name)
                .append("</param-name><param-value>").append(value).append("</param-value></context-param>"));
        WebArchive shop = ShrinkWrap.create(WebArchive.class, "shop.war")
                .addAsLibraries(ContainerSupport.pulseClassesJar())
                .addAsLibraries(ContainerSupport.pulseRuntimeLibraries())
                .addClasses(PublishServlet.class, PresenceServlet.class, SessionEvents.class, SessionEvents.EventsServlet.class)
                // embedded Tomcat runs in the test JVM, where Pulse's classes (and its web-fragment)
                // are on the class path too: scan only the app's own jars, as a real server would
                .addAsManifestResource(new StringAsset("<Context><JarScanner scanClassPath=\"false\"/></Context>"), "context.xml")
                .setWebXML(new StringAsset("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"5.0\">"
                        + "<display-name>shop</display-name>" + params + "</web-app>"));
        if ("tomee".equals(ContainerSupport.container())) {
            shop.addClasses(CdiPublisher.class, CdiPublishServlet.class)
                    .addAsWebInfResource(new StringAsset("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"3.0\" "
                            + "bean-discovery-mode=\"annotated\"/>"), "beans.xml");
        }
        return shop;
    }

    private URL app() {
        return app != null ? app : base;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private TestClient connect() throws InterruptedException {
        TestClient client = TestClient.connect(ContainerSupport.ws(app(), "ws"));
        opened.add(client);
        client.nextOfType("welcome", PROMPT);
        return client;
    }

    private static void subscribe(TestClient client, String topic, boolean presence) throws InterruptedException {
        client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":" + presence + "}");
        client.nextOfType("subscribed", PROMPT);
    }

    private String post(String path, String topic, String text) throws Exception {
        URI uri = ContainerSupport.http(app(), path + "?topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
        HttpResponse<String> response = ContainerSupport.HTTP.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** POST with the parameters in a form body (a long text does not fit in a URL). */
    private String postForm(String path, String topic, String text) throws Exception {
        String form = "topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
        HttpResponse<String> response = ContainerSupport.HTTP.send(HttpRequest.newBuilder(ContainerSupport.http(app(), path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = ContainerSupport.get(ContainerSupport.http(app(), path));
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    void theAppsOwnCodePublishesToSubscribersOnly() throws Exception {
        TestClient subscriberA = connect();
        TestClient subscriberB = connect();
        TestClient bystander = connect();
        subscribe(subscriberA, "orders", false);
        subscribe(subscriberB, "orders", false);

        assertEquals("2", post("publish", "orders", "order 42 shipped"));
        for (TestClient s : List.of(subscriberA, subscriberB)) {
            JsonObject m = s.nextOfType("message", PROMPT);
            assertEquals("orders", m.getString("topic"));
            assertEquals("order 42 shipped", m.getString("data"));
            assertEquals(1, m.getInt("seq"));
        }
        if ("tomee".equals(ContainerSupport.container())) {
            assertEquals("2", post("publish-cdi", "orders", "via CDI"), "@Inject Pulse in the app's CDI bean");
            assertEquals("via CDI", subscriberA.nextOfType("message", PROMPT).getString("data"));
        }
        // the bystander was served all along (time pushes) and never saw the topic
        bystander.texts.clear();
        bystander.nextOfType("time", PROMPT);
        assertTrue(bystander.texts.stream().noneMatch(t -> t.contains("orders")), "an unsubscribed client got the topic");
        assertEquals("0", post("publish", "nobody-here", "x"));
    }

    @Test
    void presenceAndTheAppsListenersFollowClientsIncludingASweptDeadPeer() throws Exception {
        TestClient watcher = connect();
        subscribe(watcher, "room", true);
        TestClient guest = connect();
        subscribe(guest, "room", false);
        String guestId = watcher.nextOfType("presence", PROMPT).getJsonObject("member").getString("sessionId");
        assertEquals(2, get("presence?topic=room").split(",").length);

        guest.close();
        JsonObject leave = watcher.nextOfType("presence", PROMPT);
        assertEquals("leave", leave.getString("event"));
        assertEquals(guestId, leave.getJsonObject("member").getString("sessionId"));
        Await.until("the app heard the guest leave", PROMPT, () -> appHeard("close:" + guestId + ":CLIENT_CLOSED"));

        try (HostilePeer dead = HostilePeer.upgradeAndGoSilent(ContainerSupport.ws(app(), "ws"))) {
            dead.sendText("{\"type\":\"subscribe\",\"topic\":\"room\"}");
            String deadId = watcher.nextOfType("presence", PROMPT).getJsonObject("member").getString("sessionId");
            assertEquals(2, get("presence?topic=room").split(",").length);
            JsonObject deadLeave = watcher.nextOfType("presence", ProtocolContract.SWEEP_BOUND);
            assertEquals("leave", deadLeave.getString("event"));
            assertEquals(deadId, deadLeave.getJsonObject("member").getString("sessionId"));
            Await.until("the app heard the dead peer swept", PROMPT, () -> appHeard("close:" + deadId + ":HEARTBEAT_TIMEOUT"));
        }
        assertEquals(1, get("presence?topic=room").split(",").length);
        assertTrue(appHeard("open:" + guestId));
    }

    @Test
    void aPeerThatStopsReadingIsClosedAsSlowConsumerAndDroppedPromptlyWhileTheOthersGetEveryMessage() throws Exception {
        stuckPeerScenario("feed-16384", 16_384);
    }

    /**
     * Frames small enough to be written through (a blocking send) while a peer keeps up. The stuck
     * peer answers no Ping (its pongs are unsolicited), so after PeerSender.WRITE_THROUGH_CHARS its
     * frames go async: no publish ever waits on its full socket, which would hold the app's
     * thread up to sendTimeout (10 s).
     */
    @Test
    void smallFramesToAPeerThatStopsReadingNeverHoldThePublisher() throws Exception {
        long slowest = stuckPeerScenario("feed-1024", 1_024);
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(5), "a publish waited " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
    }

    /**
     * The same two scenarios through a Tomcat connector with {@code useAsyncIO="false"}, which
     * docs/deploy.md suggests for WebSocket connectors: there Tomcat's blocking and async sends take
     * its other write path (the socket's write buffer and a poller registration, instead of a
     * vectored operation), and Pulse's bounds must hold on it too.
     */
    @Test
    @Tag("tomcat-only")
    void aStuckPeerIsDroppedAndNeverHoldsThePublisherOnAConnectorWithoutAsyncIo() throws Exception {
        app = TomcatConnectors.addWithoutAsyncIo(base);
        stuckPeerScenario("no-async-io-16384", 16_384);
        long slowest = stuckPeerScenario("no-async-io-1024", 1_024);
        assertTrue(slowest < TimeUnit.SECONDS.toNanos(5), "a publish waited " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");
    }

    /** Publishes chunks to its own topic until the stuck peer is dropped; checks the reader got them all. Returns the slowest publish in ns. */
    private long stuckPeerScenario(String topic, int chunkChars) throws Exception {
        // topic: the scenario's own, so that seq starts at 1 whatever ran before
        TestClient reader = connect();
        subscribe(reader, topic, false);
        String chunk = "z".repeat(chunkChars);
        long slowConsumersBefore = slowConsumersHeard();
        int published = 0;
        long slowest = 0;
        try (HostilePeer stuck = HostilePeer.upgradeWithReceiveBuffer(ContainerSupport.ws(app(), "ws"), 4096)) {
            stuck.sendText("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            Await.until("the stuck peer subscribed", PROMPT, () -> fetch("presence?topic=" + topic).split(",").length == 2);
            // it keeps itself alive with pongs but reads nothing, while the app keeps publishing
            long start = System.nanoTime();
            String receivers;
            do {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "the stuck peer was never closed");
                stuck.sendPong();
                long publishStart = System.nanoTime();
                receivers = postForm("publish", topic, chunk);
                slowest = Math.max(slowest, System.nanoTime() - publishStart);
                published++;
            } while (!"1".equals(receivers));
            assertTrue(published > SHOP_MAX_QUEUED_BYTES / chunk.length(), published + " publishes");
            Await.until("the app heard a slow consumer closed", PROMPT, () -> slowConsumersHeard() > slowConsumersBefore);
            // It goes on reading nothing while the reader gets a few more pushes. Its close frame
            // queues behind a frame it never takes, so Pulse drops the connection after
            // BLOCKING_WAIT_MILLIS instead of holding a thread for sendTimeout (10 s) to send it.
            long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * JsrPeerConnection.BLOCKING_WAIT_MILLIS + 500);
            Await.until("the reader's pushes while the stuck peer stays quiet", 3 * PROMPT,
                    () -> reader.timeArrivals.stream().anyMatch(at -> at > quietUntil));
            assertEquals(1006, stuck.awaitCloseCode((int) PROMPT), "dropped, not waiting to send a close frame it would never read");
        }
        // the reader got every message, in order, and the time push went on
        for (int seq = 1; seq <= published; seq++) {
            JsonObject m = reader.nextOfType("message", PROMPT);
            assertEquals(seq, m.getInt("seq"));
            assertEquals(chunk.length(), m.getString("data").length());
        }
        reader.texts.clear();
        reader.nextOfType("time", PROMPT);
        return slowest;
    }

    private long slowConsumersHeard() {
        return fetch("events").lines().filter(l -> l.endsWith(":SLOW_CONSUMER")).count();
    }

    private boolean appHeard(String line) {
        return fetch("events").lines().anyMatch(line::equals);
    }

    /** {@link #get} for await conditions. */
    private String fetch(String path) {
        try {
            return get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
