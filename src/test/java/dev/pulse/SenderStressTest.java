package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One session hit at once by heartbeat acks (container threads), time pushes and pings (many
 * server threads) for several seconds: every frame arrives, in order, and nothing fails.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SenderStressTest {

    private static final long HAMMER_MILLIS = 3_000;
    private static final int SERVER_THREADS = 4;

    private final List<LogRecord> problems = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() instanceof IllegalStateException) {
                problems.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger root = Logger.getLogger("");
    private TyrusPulseServer server;

    @BeforeEach
    void start() throws Exception {
        root.addHandler(capture);
        // ticks far apart: the test threads do the pushing and pinging; limits out of the way
        server = TyrusPulseServer.start(PulseSettings.defaults().with(Setting.TIME_INTERVAL, 3_600_000)
                .with(Setting.RATE_LIMIT, 1_000_000).with(Setting.RATE_BURST, 1_000_000)
                .with(Setting.MAX_QUEUED_BYTES, 1_000_000_000));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        root.removeHandler(capture);
    }

    @Test
    void everyFrameArrivesAndNoSendOverlaps() throws Exception {
        TestClient client = TestClient.connect(server.endpoint());
        client.nextOfType("welcome", 5_000);
        Peer peer = server.runtime.registry().peers().iterator().next();

        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAMMER_MILLIS);
        ConcurrentSkipListSet<Long> pushedSeqs = new ConcurrentSkipListSet<>();
        AtomicInteger pingsSent = new AtomicInteger();
        List<Thread> hammers = new ArrayList<>();
        for (int t = 0; t < SERVER_THREADS; t++) {
            Thread hammer = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    pushedSeqs.add(server.runtime.timePusher().pushTime());
                    server.runtime.liveness().pingAll();
                    pingsSent.incrementAndGet();
                    LockSupport.parkNanos(500_000); // pacing, so the client can keep up
                }
            }, "stress-" + t);
            hammer.start();
            hammers.add(hammer);
        }
        int heartbeats = 0;
        while (System.nanoTime() < deadline) {
            client.send("{\"type\":\"heartbeat\",\"ts\":" + heartbeats + "}");
            heartbeats++;
        }
        for (Thread hammer : hammers) {
            hammer.join();
        }

        // collect until every ack and every pushed seq has arrived
        int acks = 0;
        long lastAckTs = -1;
        List<Long> seqs = new ArrayList<>();
        while (acks < heartbeats || seqs.size() < pushedSeqs.size()) {
            String text = client.texts.poll(10, TimeUnit.SECONDS);
            assertNotNull(text, "stalled at " + acks + "/" + heartbeats + " acks, " + seqs.size() + "/" + pushedSeqs.size() + " pushes");
            JsonObject frame = TestClient.json(text);
            switch (frame.getString("type")) {
                case "heartbeat_ack" -> {
                    long ts = frame.getJsonNumber("ts").longValue();
                    assertEquals(lastAckTs + 1, ts, "acks arrive in order, none lost");
                    lastAckTs = ts;
                    acks++;
                }
                case "time" -> seqs.add(frame.getJsonNumber("seq").longValue());
                default -> throw new AssertionError("unexpected frame " + text);
            }
        }
        System.out.printf("stress: %d heartbeats, %d pushes, %d pings, drained %d ms after the hammering%n", heartbeats, pushedSeqs.size(), pingsSent.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - deadline));
        assertEquals(List.copyOf(pushedSeqs), seqs, "every time push, in seq order");
        // a Ping queued while the last is unanswered and the client is behind is skipped (PeerSender)
        Await.until("pings", 10_000, () -> client.pings.get() > 0);
        assertTrue(client.pings.get() <= pingsSent.get(), client.pings.get() + " pings arrived, " + pingsSent.get() + " queued");
        System.out.printf("stress: %d of %d pings arrived%n", client.pings.get(), pingsSent.get());
        assertTrue(heartbeats > 100, "the client sent only " + heartbeats + " heartbeats");
        assertTrue(pushedSeqs.size() > 1000, "only " + pushedSeqs.size() + " pushes");
        assertFalse(peer.sender().hasFailed());
        assertEquals(1, server.runtime.registry().size());
        assertTrue(problems.isEmpty(), () -> "warnings or IllegalStateException logged: "
                + problems.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList());
        client.close();
    }
}
