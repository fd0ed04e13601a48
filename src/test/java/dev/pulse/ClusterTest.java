package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Pulse nodes, each in its own JVM, and a real redis-server: topic publishes reach subscribers
 * on both nodes exactly once, presence merges both, the cluster heals after Redis is killed and
 * started again, and a killed node's presence vanishes within the TTL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterTest {

    private static final long PROMPT = 10_000;
    private RedisServer redis;
    private final List<Node> nodes = new ArrayList<>();
    private final List<TestClient> clients = new ArrayList<>();

    /** A node JVM running {@link ClusterNodeMain}. */
    private static final class Node implements AutoCloseable {
        final Process process;
        final int port;

        Node(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        URI endpoint() {
            return URI.create("ws://localhost:" + port + "/pulse/ws");
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.getOutputStream().close(); // ends the node cleanly
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private Node startNode(String nodeId) throws Exception {
        return startNode(nodeId, 100);
    }

    private Node startNode(String nodeId, int historySize) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ClusterNodeMain.class.getName(), redis.uri(), nodeId, Integer.toString(historySize))
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        ready.complete(Integer.parseInt(line.substring(6).trim()));
                    }
                }
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("node " + nodeId + " ended before READY"));
        }, "node-" + nodeId + "-output");
        reader.setDaemon(true);
        reader.start();
        Node node = new Node(p, ready.get(30, TimeUnit.SECONDS));
        nodes.add(node);
        return node;
    }

    private TestClient connect(Node node) throws InterruptedException {
        TestClient c = TestClient.connect(node.endpoint());
        clients.add(c);
        c.nextOfType("welcome", PROMPT);
        return c;
    }

    /** Subscribes resuming from {@code epoch}/{@code seq}; returns the first answer (subscribed or gap). */
    private static JsonObject resume(TestClient c, String topic, String epoch, long seq) throws InterruptedException {
        c.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":{\"epoch\":\"" + epoch
                + "\",\"seq\":" + seq + "}}");
        return c.nextMatching(o -> List.of("subscribed", "gap").contains(o.getString("type")), PROMPT);
    }

    private static JsonObject subscribe(TestClient c, String topic, boolean presence) throws InterruptedException {
        c.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"presence\":" + presence + "}");
        return c.nextOfType("subscribed", PROMPT);
    }

    private static void say(TestClient c, String topic, String text) {
        c.send("{\"type\":\"message\",\"topic\":\"" + topic + "\",\"data\":\"" + text + "\"}");
    }

    /** The node's status, asked through the control topic of {@link ClusterNodeMain}. */
    private static JsonObject status(TestClient c) throws InterruptedException {
        c.send("{\"type\":\"message\",\"topic\":\"ctl\",\"data\":\"status\"}");
        return c.nextMatching(o -> "message".equals(o.getString("type")) && !o.containsKey("topic"), PROMPT)
                .getJsonObject("data");
    }

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (TestClient c : clients) {
            c.close();
        }
        for (Node n : nodes) {
            n.close();
        }
        redis.close();
    }

    @Test
    void publishesReachBothNodesExactlyOnceAndPresenceMerges() throws Exception {
        Node a = startNode("node-a");
        Node b = startNode("node-b");
        TestClient onA = connect(a);
        TestClient onB = connect(b);
        TestClient bystander = connect(b);
        subscribe(onA, "news", true);
        subscribe(onB, "news", false);
        JsonObject join = onA.nextOfType("presence", PROMPT);
        assertEquals("join", join.getString("event"));
        assertEquals("node-b", join.getJsonObject("member").getString("node"));

        say(onA, "news", "hello from A");
        assertEquals("hello from A", onA.nextOfType("message", PROMPT).getString("data"));
        assertEquals("hello from A", onB.nextOfType("message", PROMPT).getString("data"));
        say(onB, "news", "hello from B");
        assertEquals("hello from B", onA.nextOfType("message", PROMPT).getString("data"));
        assertEquals("hello from B", onB.nextOfType("message", PROMPT).getString("data"));
        // exactly once: the next topic message each sees is the marker, not a duplicate
        say(onA, "news", "marker");
        assertEquals("marker", onA.nextOfType("message", PROMPT).getString("data"));
        assertEquals("marker", onB.nextOfType("message", PROMPT).getString("data"));
        assertTrue(bystander.texts.stream().noneMatch(t -> t.contains("\"news\"")), "an unsubscribed client got the topic");

        TestClient late = connect(a);
        JsonObject members = subscribe(late, "news", true);
        List<String> nodesOfMembers = members.getJsonArray("members").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("node")).sorted().toList();
        assertEquals(List.of("node-a", "node-a", "node-b"), nodesOfMembers, "presence merges both nodes");

        Await.until("both nodes in the cluster count", PROMPT, () -> {
            JsonObject cluster = cluster(bystander);
            return cluster.getInt("nodes") == 2 && cluster.getInt("sessions") == 4 && "connected".equals(cluster.getString("state"));
        });
    }

    @Test
    void theClusterHealsAfterRedisIsKilledAndStartedAgain() throws Exception {
        Node a = startNode("node-a");
        Node b = startNode("node-b");
        TestClient onA = connect(a);
        TestClient onB = connect(b);
        TestClient controlA = connect(a); // status polls skip frames: never on a client under test
        TestClient controlB = connect(b);
        subscribe(onA, "news", false);
        subscribe(onB, "news", false);
        say(onA, "news", "before");
        assertEquals("before", onA.nextOfType("message", PROMPT).getString("data"));
        assertEquals("before", onB.nextOfType("message", PROMPT).getString("data"));

        redis.kill();
        say(onA, "news", "during");
        say(onA, "news", "during, again");
        // A delivers alone, under an epoch of its own, announced first
        JsonObject detached = onA.nextOfType("gap", PROMPT);
        assertEquals("cluster", detached.getString("reason"));
        assertEquals("during", onA.nextOfType("message", PROMPT).getString("data"), "local delivery goes on");
        assertEquals("during, again", onA.nextOfType("message", PROMPT).getString("data"));
        onA.send("{\"type\":\"heartbeat\",\"ts\":1}");
        onA.nextOfType("heartbeat_ack", PROMPT);
        onA.nextOfType("time", PROMPT);
        Await.until("node A reports the cluster degraded", PROMPT, () -> "degraded".equals(clusterState(controlA)));

        redis.startProcess();
        Await.until("node A connected again", 20_000, () -> "connected".equals(clusterState(controlA)));
        Await.until("node B connected again", 20_000, () -> "connected".equals(clusterState(controlB)));
        say(onA, "news", "after");
        // B never got "during" and says so before delivering what follows; A is back on the cluster's epoch
        for (TestClient c : List.of(onA, onB)) {
            JsonObject gap = c.nextOfType("gap", PROMPT);
            assertEquals("cluster", gap.getString("reason"));
            JsonObject after = c.nextOfType("message", PROMPT);
            assertEquals("after", after.getString("data"));
            assertEquals(gap.getJsonNumber("seq").longValue() + 1, after.getJsonNumber("seq").longValue(),
                    "the message after the gap follows on from it");
        }
    }

    @Test
    void aClientCutOffOnOneNodeRecoversEverythingOnTheOther() throws Exception {
        Node a = startNode("node-a");
        Node b = startNode("node-b");
        TestClient publisher = connect(b);
        TestClient watcher = connect(b);
        subscribe(watcher, "feed", false);
        TestClient victim = connect(a);
        JsonObject first = subscribe(victim, "feed", false);
        String epoch = first.getString("epoch");
        say(publisher, "feed", "seen");
        long lastSeen = victim.nextOfType("message", PROMPT).getJsonNumber("seq").longValue();
        watcher.nextOfType("message", PROMPT);

        victim.abort(); // the socket dies, no close frame
        for (int i = 1; i <= 50; i++) {
            say(publisher, "feed", "m" + i);
        }
        for (int i = 1; i <= 50; i++) {
            assertEquals("m" + i, watcher.nextOfType("message", PROMPT).getString("data"));
        }

        TestClient back = connect(b); // another node than the one it was cut off from
        JsonObject answer = resume(back, "feed", epoch, lastSeen);
        assertEquals("subscribed", answer.getString("type"), answer.toString());
        assertEquals(50, answer.getInt("recovered"));
        assertEquals(epoch, answer.getString("epoch"), "one epoch for the topic across nodes");
        assertEquals(lastSeen + 50, answer.getJsonNumber("seq").longValue());
        say(publisher, "feed", "live");
        for (int i = 1; i <= 51; i++) {
            JsonObject m = back.nextOfType("message", PROMPT);
            assertEquals(i <= 50 ? "m" + i : "live", m.getString("data"), "every message once, in order");
            assertEquals(lastSeen + i, m.getJsonNumber("seq").longValue());
        }

        TestClient sameNode = connect(a); // and on the node it came from, which had no subscriber left
        JsonObject again = resume(sameNode, "feed", epoch, lastSeen + 40);
        assertEquals(11, again.getInt("recovered"), again.toString());
        assertEquals("m41", sameNode.nextOfType("message", PROMPT).getString("data"));
    }

    @Test
    void beyondTheHistoryOrAfterRedisLostItAResumeGetsAGap() throws Exception {
        Node a = startNode("node-a", 20);
        Node b = startNode("node-b", 20);
        TestClient publisher = connect(b);
        TestClient onA = connect(a);
        String epoch = subscribe(onA, "feed", false).getString("epoch");
        for (int i = 1; i <= 30; i++) {
            say(publisher, "feed", "m" + i);
        }
        for (int i = 1; i <= 30; i++) {
            assertEquals("m" + i, onA.nextOfType("message", PROMPT).getString("data"));
        }

        TestClient tooLate = connect(b); // missed 25 of which Redis keeps the last 20
        JsonObject gap = resume(tooLate, "feed", epoch, 5);
        assertEquals("gap", gap.getString("type"));
        assertEquals("history", gap.getString("reason"));
        assertEquals(30, gap.getJsonNumber("seq").longValue(), "the gap says where the topic is now");
        assertEquals("subscribed", tooLate.nextOfType("subscribed", PROMPT).getString("type"));
        TestClient inTime = connect(b); // missed 20: all kept
        assertEquals(20, resume(inTime, "feed", epoch, 10).getInt("recovered"));

        redis.kill(); // no persistence: the topic's epoch and history are gone with it
        redis.startProcess();
        TestClient control = connect(b);
        Await.until("node B connected again", 20_000, () -> "connected".equals(clusterState(control)));
        TestClient afterLoss = connect(b);
        JsonObject lost = resume(afterLoss, "feed", epoch, 30);
        assertEquals("gap", lost.getString("type"));
        assertEquals("epoch", lost.getString("reason"));
        JsonObject told = inTime.nextOfType("gap", PROMPT);
        assertEquals(lost.getString("epoch"), told.getString("epoch"), "subscribers already there move to the new epoch too");
    }

    private static String clusterState(TestClient c) {
        return cluster(c).getString("state");
    }

    /** The {@code cluster} part of the node's status, for use inside bounded awaits. */
    private static JsonObject cluster(TestClient c) {
        try {
            return status(c).getJsonObject("cluster");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKilledNodesPresenceVanishesWithinTheTtl() throws Exception {
        Node a = startNode("node-a");
        Node b = startNode("node-b");
        TestClient onA = connect(a);
        TestClient onB = connect(b);
        subscribe(onB, "room", false);
        // B writes its member to Redis from its sender thread, just after answering its client
        Await.until("node B's member seen from node A", PROMPT, () -> memberNodes(a, "room").contains("node-b"));
        assertTrue(subscribe(onA, "room", true).getJsonArray("members").stream()
                .anyMatch(m -> "node-b".equals(m.asJsonObject().getString("node"))), "presence merges both nodes");

        b.kill(); // no clean shutdown: its keys stay until they expire
        long killed = System.nanoTime();
        Await.until("node B's members gone", 10_000, () -> !memberNodes(a, "room").contains("node-b"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(tookMs <= 1500 + 2_000, "presence of a dead node lasted " + tookMs + " ms, TTL 1500 ms");
    }

    /** The nodes of the topic's members as a new client of {@code node} is told them, for bounded awaits. */
    private List<String> memberNodes(Node node, String topic) {
        try {
            TestClient probe = connect(node);
            JsonObject s = subscribe(probe, topic, true);
            probe.close();
            return s.getJsonArray("members").stream().map(m -> m.asJsonObject().getString("node")).toList();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
