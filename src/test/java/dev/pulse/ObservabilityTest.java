package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A scripted scenario (connects, a swept dead peer, a slow consumer, a client-reported cause, bad
 * input) and the metrics, status snapshot, Prometheus text and JMX beans it must leave behind.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ObservabilityTest {

    private static final long PROMPT = 5_000;
    private TyrusPulseServer server;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void scenarioLeavesTheRightNumbers() throws Exception {
        // silence limit 2.3 s: the slow consumer must be caught by its queue, not by a stall of
        // the thread that sends its pongs on a loaded machine; the dead peer is still swept in SWEEP_BOUND
        server = TyrusPulseServer.start(TestSettings.settings().with(Setting.MAX_QUEUED_BYTES, 65_536)
                        .with(Setting.PONG_TIMEOUT, 2_000), PulseMetrics.exported("/observed"));
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestClient c = TestClient.connect(server.endpoint());
            closeAfter.add(c);
            c.nextOfType("welcome", PROMPT);
            clients.add(c);
        }
        // a client reports why it lost its previous connection, and a heartbeat, and one bad message
        clients.get(0).send("{\"type\":\"disconnect_report\",\"cause\":\"heartbeat_timeout\",\"code\":4000,\"downtimeMs\":2500}");
        clients.get(1).send("{\"type\":\"disconnect_report\",\"cause\":\"offline\",\"downtimeMs\":500}");
        clients.get(1).send("{\"type\":\"disconnect_report\",\"cause\":\"gremlins\"}");
        assertTrue(clients.get(1).nextOfType("error", PROMPT).getString("message").startsWith("field 'cause' must be one of"));
        clients.get(2).send("{\"type\":\"heartbeat\",\"ts\":1}");
        clients.get(2).nextOfType("heartbeat_ack", PROMPT);

        // a dead peer, swept
        HostilePeer dead = HostilePeer.upgradeAndGoSilent(server.endpoint());
        closeAfter.add(dead);
        // a slow consumer: keeps itself alive with pongs, never reads, the app keeps sending to it
        Set<String> before = Pulse.get().sessions().stream().map(SessionInfo::id).collect(Collectors.toSet());
        HostilePeer slow = HostilePeer.upgradeWithReceiveBuffer(server.endpoint(), 4096);
        closeAfter.add(slow);
        Await.equal("sessions", 7, PROMPT, () -> server.runtime.registry().size());
        String slowId = Pulse.get().sessions().stream().map(SessionInfo::id)
                .filter(id -> !before.contains(id)).findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Pulse.get().session(slowId).isPresent() && System.nanoTime() < deadline) {
            slow.sendPong();
            Pulse.get().send(slowId, "z".repeat(32_768));
            Thread.sleep(5); // pacing of the producer
        }
        Await.equal("sessions", 5, ProtocolContract.SWEEP_BOUND, () -> server.runtime.registry().size());
        Await.until("RTT samples from pongs", PROMPT, () -> server.runtime.registry().peers().stream().allMatch(p -> p.rttNanos() >= 0));

        JsonObject status = StatusReport.status(server.runtime);
        JsonObject totals = status.getJsonObject("totals");
        assertEquals(5, status.getInt("sessions"));
        assertEquals(7, totals.getInt("opened"));
        assertEquals(1, totals.getJsonObject("closed").getInt("heartbeat_timeout"));
        assertEquals(1, totals.getJsonObject("closed").getInt("slow_consumer"));
        assertEquals(0, totals.getJsonObject("closed").getInt("client_closed"));
        assertEquals(1, totals.getJsonObject("clientReportedDisconnects").getInt("heartbeat_timeout"));
        assertEquals(1, totals.getJsonObject("clientReportedDisconnects").getInt("offline"));
        assertEquals(1, totals.getJsonObject("errorFrames").getInt("bad_message"));
        assertTrue(totals.getInt("heartbeatAcks") >= 1);
        assertTrue(totals.getInt("pingsSent") >= 5);
        assertTrue(totals.getInt("pongsReceived") >= 5);
        assertTrue(totals.getInt("timePushes") >= 1);
        assertTrue(totals.getInt("sendFailures") >= 1, "the slow consumer's refused send");
        assertEquals(5, status.getJsonObject("rtt").getInt("samples"));
        assertTrue(status.getJsonObject("rtt").getJsonNumber("p99Ms").doubleValue() >= 0);
        assertTrue(status.getJsonObject("timePush").getJsonNumber("lastFanoutMs").doubleValue() >= 0);

        String prometheus = server.runtime.metrics().scrape();
        assertTrue(prometheus.contains("pulse_sessions_open{app=\"/observed\"} 5.0"), prometheus);
        assertTrue(prometheus.contains("pulse_sessions_closed_total{app=\"/observed\",cause=\"heartbeat_timeout\"} 1.0"));
        assertTrue(prometheus.contains("pulse_client_disconnects_total{app=\"/observed\",cause=\"offline\"} 1.0"));
        assertTrue(prometheus.contains("pulse_pong_rtt_seconds_bucket"), "RTT histogram");

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        assertTrue(!jmx.queryNames(new ObjectName("dev.pulse:*"), null).isEmpty(), "JMX beans under dev.pulse");
        server.close();
        server = null;
        assertEquals(Set.of(), jmx.queryNames(new ObjectName("dev.pulse:*"), null), "JMX beans left after stop");
    }

    @Test
    void percentileIsNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertEquals(5, StatusReport.percentile(sorted, 0.5));
        assertEquals(9, StatusReport.percentile(sorted, 0.9));
        assertEquals(10, StatusReport.percentile(sorted, 0.99));
        assertEquals(7, StatusReport.percentile(List.of(7L), 0.5));
    }
}
