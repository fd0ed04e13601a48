package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Start and stop of a runtime as the lifecycle listener does it, on in-JVM Tyrus. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifecycleTest {

    private static List<String> pulseThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(PulseScheduler.THREAD_PREFIX))
                .toList();
    }

    @Test
    void stopClosesEverySessionWith1001AndASpreadRetryHintAndLeavesNoThread() throws Exception {
        long spread = 60_000;
        TyrusPulseServer server = TyrusPulseServer.start(TestSettings.settings().with(Setting.SHUTDOWN_SPREAD, spread));
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TestClient c = TestClient.connect(server.endpoint());
            c.nextOfType("welcome", 5_000);
            clients.add(c);
        }
        assertTrue(!pulseThreads().isEmpty(), "the fallback scheduler runs while Pulse runs");

        server.close();

        Set<Long> hints = new HashSet<>();
        for (TestClient c : clients) {
            TestClient.Closed closed = c.closed.get(5, TimeUnit.SECONDS);
            assertEquals(1001, closed.code());
            JsonObject reason = TestClient.json(closed.reason());
            assertEquals("server shutdown", reason.getString("reason"));
            long retryAfter = reason.getJsonNumber("retryAfterMs").longValue();
            assertTrue(retryAfter >= 0 && retryAfter <= spread, "retryAfterMs " + retryAfter);
            hints.add(retryAfter);
        }
        assertTrue(hints.size() > 5, "reconnect hints are not spread: " + hints);
        assertEquals(List.of(), pulseThreads(), "Pulse threads left after stop");
        assertFalse(Pulse.get().isRunning());
        assertThrows(IllegalStateException.class, () -> Pulse.get().broadcast("late"));
    }

    @Test
    void aRuntimeCanBeStartedAgainAfterStop() throws Exception {
        for (int round = 0; round < 3; round++) {
            try (TyrusPulseServer server = TyrusPulseServer.start(TestSettings.settings());
                 TestClient client = TestClient.connect(server.endpoint())) {
                client.nextOfType("welcome", 5_000);
                JsonObject time = client.nextOfType("time", 5_000);
                assertEquals(1, time.getInt("seq"), "seq starts again with a new server");
            }
        }
        assertEquals(List.of(), pulseThreads());
    }

    @Test
    void statusReportsSessionsSchedulerAndSettings() throws Exception {
        try (TyrusPulseServer server = TyrusPulseServer.start(TestSettings.settings());
             TestClient client = TestClient.connect(server.endpoint())) {
            client.nextOfType("welcome", 5_000);
            JsonObject status = StatusReport.status(server.runtime);
            assertEquals(1, status.getInt("sessions"));
            assertTrue(status.getBoolean("running"));
            assertTrue(status.getJsonNumber("uptimeMs").longValue() >= 0);
            assertEquals("fallback", status.getJsonObject("scheduler").getString("kind"));
            assertEquals("pulse-scheduler-N", status.getJsonObject("scheduler").getString("name"));
            assertEquals(TestSettings.TIME_INTERVAL, status.getJsonObject("settings").getJsonNumber("timeInterval").longValue());
            assertEquals(Setting.values().length, status.getJsonObject("settings").size());
        }
    }
}
