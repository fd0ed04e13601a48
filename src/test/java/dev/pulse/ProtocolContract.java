package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Protocol v1 as a client sees it, against any server running Pulse with {@link TestSettings}:
 * Tyrus in-JVM ({@link TyrusProtocolTest}) and the deployed WAR on real containers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ProtocolContract {

    /** A frame that should come at once takes well under this; generous for a loaded CI machine. */
    static final long PROMPT = 5_000;
    /** Bound for a silent peer to be gone: the silence limit, a sweep, and slack for a busy machine. */
    static final long SWEEP_BOUND = TestSettings.PING_INTERVAL + TestSettings.PONG_TIMEOUT + 4_000;

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** ws:// URI of the Pulse endpoint under test. */
    protected abstract URI endpoint();

    /** Open sessions as the server's registry counts them. */
    protected abstract int openSessions() throws Exception;

    protected TestClient connect() {
        TestClient client = TestClient.connect(endpoint());
        opened.add(client);
        return client;
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        awaitSessions(0);
    }

    protected void awaitSessions(int expected) {
        Await.equal("open sessions", expected, SWEEP_BOUND, () -> {
            try {
                return openSessions();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void welcomeGivesTheClientItsTimings() throws Exception {
        long before = System.currentTimeMillis();
        TestClient client = connect();
        JsonObject welcome = TestClient.json(client.next(PROMPT));
        assertEquals("welcome", welcome.getString("type"), "first frame is the welcome");
        assertFalse(welcome.getString("sessionId").isBlank());
        assertEquals(1, welcome.getInt("protocol"));
        assertEquals(TestSettings.HEARTBEAT_INTERVAL, welcome.getJsonNumber("heartbeatInterval").longValue());
        assertEquals(TestSettings.HEARTBEAT_TIMEOUT, welcome.getJsonNumber("heartbeatTimeout").longValue());
        assertEquals(TestSettings.TIME_INTERVAL, welcome.getJsonNumber("timeInterval").longValue());
        long serverTime = welcome.getJsonNumber("serverTime").longValue();
        assertTrue(serverTime >= before - 1000 && serverTime <= System.currentTimeMillis() + 1000, "serverTime " + serverTime);
        awaitSessions(1);
    }

    @Test
    void heartbeatIsAcknowledgedWithItsTimestamp() throws Exception {
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        client.send("{\"type\":\"heartbeat\",\"ts\":1700000000123}");
        JsonObject ack = client.nextOfType("heartbeat_ack", PROMPT);
        assertEquals("1700000000123", ack.get("ts").toString());
        assertTrue(ack.getJsonNumber("serverTime").longValue() > 0);

        client.send("{\"type\":\"heartbeat\",\"ts\":12.25}");
        assertEquals("12.25", client.nextOfType("heartbeat_ack", PROMPT).get("ts").toString());

        client.send("{\"type\":\"heartbeat\"}");
        assertFalse(client.nextOfType("heartbeat_ack", PROMPT).containsKey("ts"));
    }

    @Test
    void plainTextClientsGetPlainTextAnswers() throws Exception {
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        client.send("heartbeat");
        assertEquals("heartbeat_ack", client.nextNonTime(PROMPT));
        client.send("ping");
        assertEquals("pong", client.nextNonTime(PROMPT));
    }

    @Test
    void timeIsPushedToEverySessionWithIncreasingSeq() throws Exception {
        TestClient a = connect();
        TestClient b = connect();
        for (TestClient client : List.of(a, b)) {
            long lastSeq = 0;
            for (int i = 0; i < 3; i++) {
                JsonObject time = client.nextOfType("time", TestSettings.TIME_INTERVAL + PROMPT);
                long seq = time.getJsonNumber("seq").longValue();
                assertTrue(seq > lastSeq, "seq " + seq + " after " + lastSeq);
                lastSeq = seq;
                long serverTime = time.getJsonNumber("serverTime").longValue();
                assertEquals(Instant.ofEpochMilli(serverTime), Instant.parse(time.getString("iso")));
                assertTrue(time.getString("iso").endsWith("Z"));
            }
        }
    }

    @Test
    void serverPingsAreAnsweredAndKeepAQuietClientAlive() throws Exception {
        TestClient quiet = connect();
        quiet.nextOfType("welcome", PROMPT);
        Await.until("three server pings", 3 * TestSettings.PING_INTERVAL + PROMPT, () -> quiet.pings.get() >= 3);
        // the client never sent a message; its automatic pongs alone keep it past the silence limit
        assertTrue(quiet.isOpen());
        assertFalse(quiet.closed.isDone(), "quiet client was closed: " + quiet.closed.getNow(null));
        assertEquals(1, openSessions());
    }

    @Test
    void silentRawPeerIsSweptWhileQuietClientStays() throws Exception {
        TestClient quiet = connect();
        quiet.nextOfType("welcome", PROMPT);
        try (HostilePeer hostile = HostilePeer.upgradeAndGoSilent(endpoint())) {
            opened.add(hostile);
            awaitSessions(2);
            long start = System.nanoTime();
            awaitSessions(1);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis <= SWEEP_BOUND, "swept after " + tookMillis + " ms");
        }
        // the quiet one outlives several silence limits and still gets pushes
        int pingsBefore = quiet.pings.get();
        Await.until("two more pings", 2 * TestSettings.PING_INTERVAL + PROMPT, () -> quiet.pings.get() >= pingsBefore + 2);
        quiet.texts.clear();
        quiet.nextOfType("time", TestSettings.TIME_INTERVAL + PROMPT);
        assertFalse(quiet.closed.isDone(), "quiet client was closed: " + quiet.closed.getNow(null));
        assertEquals(1, openSessions());
    }

    @Test
    void abortedClientIsForgotten() throws Exception {
        // the TCP connection drops without a close frame: the server forgets the session, by the
        // container's close or, failing that, by the sweep
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        client.abort();
        awaitSessions(0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{oops                              | malformed JSON",
            "[]                                 | message must be a JSON object",
            "{\"ts\":1}                          | field 'type' must be a string",
            "{\"type\":\"subscribe-everything\"} | unknown type 'subscribe-everything'",
            "{\"type\":\"heartbeat\",\"ts\":\"now\"} | field 'ts' must be a number",
    })
    void badInputGetsAnErrorFrameAndTheSessionStays(String input, String problem) throws Exception {
        TestClient other = connect();
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        client.send(input);
        JsonObject error = client.nextOfType("error", PROMPT);
        assertEquals("bad_message", error.getString("code"));
        assertEquals(problem, error.getString("message"));
        client.send("{\"type\":\"heartbeat\",\"ts\":1}");
        client.nextOfType("heartbeat_ack", PROMPT);
        assertFalse(client.closed.isDone());
        other.nextOfType("time", TestSettings.TIME_INTERVAL + PROMPT);
        assertEquals(2, openSessions());
    }

    /** The container's receive buffer is 1024 chars; the message limit is Pulse's (64 KiB by default). */
    @Test
    void aMessageOfMaxMessageSizeIsAcceptedThoughTheContainerBufferIsSmall() throws Exception {
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        String head = "{\"type\":\"heartbeat\",\"ts\":9,\"pad\":\"";
        String message = head + "x".repeat(65_536 - head.length() - 2) + "\"}";
        assertEquals(65_536, message.length());
        client.send(message);
        assertEquals(9, client.nextOfType("heartbeat_ack", PROMPT).getInt("ts"));
        assertFalse(client.closed.isDone());
    }

    @Test
    void cleanlyClosedClientIsForgotten() throws Exception {
        TestClient client = connect();
        client.nextOfType("welcome", PROMPT);
        awaitSessions(1);
        client.close();
        awaitSessions(0);
    }
}
