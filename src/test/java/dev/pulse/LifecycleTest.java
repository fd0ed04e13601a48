package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
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
    void stopClosesEverySessionWith1001AndLeavesNoThread() throws Exception {
        TyrusPulseServer server = TyrusPulseServer.start(TestSettings.settings());
        List<TestClient> clients = List.of(TestClient.connect(server.endpoint()),
                TestClient.connect(server.endpoint()), TestClient.connect(server.endpoint()));
        for (TestClient c : clients) {
            c.nextOfType("welcome", 5_000);
        }
        assertTrue(!pulseThreads().isEmpty(), "the fallback scheduler runs while Pulse runs");

        server.close();

        for (TestClient c : clients) {
            TestClient.Closed closed = c.closed.get(5, TimeUnit.SECONDS);
            assertEquals(1001, closed.code());
            assertEquals("server shutdown", closed.reason());
        }
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
            JsonObject status = TestClient.json(StatusServlet.status(server.runtime));
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
