package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resume with real clients on in-JVM Tyrus: a client cut off at the TCP level while 50 messages
 * are published gets every one exactly once, in order, after it comes back; past the history it
 * gets a gap; across a server restart too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TyrusResumeTest {

    private static final long PROMPT = 5_000;
    private TyrusPulseServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private TestClient subscribed(String since) throws InterruptedException {
        TestClient client = TestClient.connect(server.endpoint());
        client.nextOfType("welcome", PROMPT);
        client.send("{\"type\":\"subscribe\",\"topic\":\"feed\"" + (since == null ? "" : ",\"since\":" + since) + "}");
        return client;
    }

    private static String since(String epoch, long seq) {
        return "{\"epoch\":\"" + epoch + "\",\"seq\":" + seq + "}";
    }

    @Test
    void aClientCutOffRecoversEveryMessageOnceInOrder() throws Exception {
        server = TyrusPulseServer.start(TestSettings.settings());
        Pulse pulse = Pulse.get();
        TestClient client = subscribed(null);
        String epoch = client.nextOfType("subscribed", PROMPT).getString("epoch");
        for (int i = 1; i <= 5; i++) {
            pulse.publish("feed", "m" + i);
        }
        long lastSeen = 0;
        for (int i = 1; i <= 5; i++) {
            lastSeen = client.nextOfType("message", PROMPT).getJsonNumber("seq").longValue();
        }
        client.abort(); // killed, not closed
        for (int i = 6; i <= 55; i++) {
            pulse.publish("feed", "m" + i);
        }

        try (TestClient back = subscribed(since(epoch, lastSeen))) {
            JsonObject subscribed = back.nextOfType("subscribed", PROMPT);
            assertEquals(50, subscribed.getInt("recovered"));
            pulse.publish("feed", "m56");
            List<String> data = new ArrayList<>();
            for (long expected = 6; expected <= 56; expected++) {
                JsonObject m = back.nextOfType("message", PROMPT);
                assertEquals(expected, m.getJsonNumber("seq").longValue());
                data.add(m.getString("data"));
            }
            assertEquals("m6", data.get(0));
            assertEquals("m56", data.get(50));
        }
    }

    @Test
    void pastTheHistoryTheClientGetsAGap() throws Exception {
        server = TyrusPulseServer.start(TestSettings.settings().with(Setting.HISTORY_SIZE, 10));
        TestClient client = subscribed(null);
        String epoch = client.nextOfType("subscribed", PROMPT).getString("epoch");
        client.abort();
        for (int i = 1; i <= 30; i++) {
            Pulse.get().publish("feed", "m" + i);
        }
        try (TestClient back = subscribed(since(epoch, 0))) {
            JsonObject gap = back.nextOfType("gap", PROMPT);
            assertEquals("history", gap.getString("reason"));
            assertEquals(30, gap.getInt("seq"));
        }
    }

    @Test
    void acrossAServerRestartTheClientGetsAGap() throws Exception {
        server = TyrusPulseServer.start(TestSettings.settings());
        TestClient client = subscribed(null);
        String epoch = client.nextOfType("subscribed", PROMPT).getString("epoch");
        Pulse.get().publish("feed", "before");
        long seq = client.nextOfType("message", PROMPT).getJsonNumber("seq").longValue();
        server.close();
        server = TyrusPulseServer.start(TestSettings.settings());
        try (TestClient back = subscribed(since(epoch, seq))) {
            JsonObject gap = back.nextOfType("gap", PROMPT);
            assertEquals("epoch", gap.getString("reason"));
            JsonObject subscribed = back.nextOfType("subscribed", PROMPT);
            assertEquals(gap.getString("epoch"), subscribed.getString("epoch"));
        }
    }
}
