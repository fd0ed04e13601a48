package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Minutes of many threads broadcasting, publishing, pinging and pushing time to the same sessions
 * while their clients heartbeat: zero IllegalStateException, and every client either got every
 * broadcast in order or was closed with a reason. Not in the default suite: run with
 * {@code mvn verify -Psoak} ({@code -Dsoak.minutes=N}, default 2).
 */
class ConcurrencySoak {

    @Test
    void manyThreadsOnTheSameSessions() throws Exception {
        long minutes = Long.getLong("soak.minutes", 2);
        List<LogRecord> problems = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue() || r.getThrown() instanceof IllegalStateException) {
                    problems.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(capture);
        try (TyrusPulseServer server = TyrusPulseServer.start(PulseSettings.defaults()
                .with(Setting.TIME_INTERVAL, 50).with(Setting.PING_INTERVAL, 100).with(Setting.PONG_TIMEOUT, 2000))) {
            Pulse pulse = Pulse.get();
            List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                TestClient c = TestClient.connect(server.endpoint());
                c.nextOfType("welcome", 5_000);
                c.send("{\"type\":\"subscribe\",\"topic\":\"soak\"}");
                clients.add(c);
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong broadcasts = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(new Thread(() -> {
                    while (running.get()) {
                        pulse.broadcast("b");
                        broadcasts.incrementAndGet();
                        pulse.publish("soak", "p");
                        server.runtime.liveness().pingAll();
                        LockSupport.parkNanos(10_000_000);
                    }
                }, "soak-broadcaster-" + t));
            }
            for (TestClient c : clients) {
                threads.add(new Thread(() -> {
                    long n = 0;
                    while (running.get() && c.isOpen()) {
                        c.send("{\"type\":\"heartbeat\",\"ts\":" + n++ + "}");
                        LockSupport.parkNanos(100_000_000); // 10/s, within the rate limit
                    }
                }, "soak-client"));
            }
            threads.forEach(Thread::start);
            while (System.nanoTime() < deadline) {
                Thread.sleep(1000); // the soak's duration, not a wait for an event
                for (TestClient c : clients) { // keep memory flat: check and drop what arrived
                    checkBroadcastOrder(c);
                }
            }
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
            int closedByServer = 0;
            for (TestClient c : clients) {
                assertTrue(c.isOpen() || c.closed.isDone(), "a client neither open nor closed with a reason");
                if (c.closed.isDone()) {
                    closedByServer++;
                    System.out.println("soak: a session was closed with " + c.closed.get());
                }
                checkBroadcastOrder(c);
                c.close();
            }
            System.out.printf("soak: %d minutes, %d broadcasts to %d sessions, %d closed by the server%n",
                    minutes, broadcasts.get(), clients.size(), closedByServer);
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
        assertEquals(List.of(), problems.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList());
    }

    private final java.util.Map<TestClient, Long> lastSeq = new java.util.concurrent.ConcurrentHashMap<>();

    private void checkBroadcastOrder(TestClient c) {
        String text;
        while ((text = c.texts.poll()) != null) {
            if (!text.startsWith("{\"type\":\"message\"") || text.contains("\"topic\"")) {
                continue;
            }
            JsonObject m = TestClient.json(text);
            long seq = m.getJsonNumber("seq").longValue();
            Long last = lastSeq.put(c, seq);
            if (last != null) {
                assertEquals(last + 1, seq, "broadcast seq gap or reorder");
            }
        }
    }
}
