package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Topic history and resume on fakes, with a clock the test advances. */
class ResumeTest {

    private final MutableClock clock = new MutableClock(1_000_000);

    private Wiring fixture(PulseSettings settings) {
        return new Wiring(settings, clock);
    }

    private final Wiring f = fixture(PulseSettings.defaults().with(Setting.HISTORY_SIZE, 20)
            .with(Setting.RATE_LIMIT, 1_000_000).with(Setting.RATE_BURST, 1_000_000));

    private static List<JsonObject> frames(FakeConnection conn) {
        List<JsonObject> out = new ArrayList<>();
        for (String t : List.copyOf(conn.texts)) {
            JsonObject o = TestClient.json(t);
            if (!"welcome".equals(o.getString("type"))) {
                out.add(o);
            }
        }
        return out;
    }

    private JsonObject subscribe(Wiring fx, String id, String sinceJson) {
        FakeConnection conn = new FakeConnection(id);
        Peer peer = fx.sessions.open(conn, null, null);
        fx.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\"" + (sinceJson == null ? "" : ",\"since\":" + sinceJson) + "}");
        return frames(conn).stream().filter(o -> "subscribed".equals(o.getString("type"))).findFirst().orElseThrow();
    }

    private void publish(Wiring fx, int from, int to) {
        for (int i = from; i <= to; i++) {
            fx.messaging.publish("news", Json.createValue("m" + i));
        }
    }

    @Test
    void aResumingClientGetsWhatItMissedInOrderThenLive() {
        FakeConnection first = new FakeConnection("first");
        Peer peer = f.sessions.open(first, null, null);
        f.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\"}");
        String epoch = frames(first).get(0).getString("epoch");
        publish(f, 1, 5);
        f.sessions.closed(peer, 1006); // cut off
        publish(f, 6, 15);

        FakeConnection back = new FakeConnection("back");
        Peer again = f.sessions.open(back, null, null);
        f.sessions.onText(again, "{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":5}}");
        publish(f, 16, 16);
        List<JsonObject> got = frames(back);
        assertEquals("subscribed", got.get(0).getString("type"));
        assertEquals(10, got.get(0).getInt("recovered"));
        assertEquals(15, got.get(0).getInt("seq"));
        for (int i = 1; i <= 11; i++) {
            assertEquals(5 + i, got.get(i).getInt("seq"));
            assertEquals("m" + (5 + i), got.get(i).getString("data"));
        }
        assertEquals(12, got.size(), "no duplicates");
    }

    @Test
    void upToDateClientGetsNothingReplayed() {
        JsonObject s = subscribe(f, "a", null);
        publish(f, 1, 3);
        JsonObject again = subscribe(f, "b", "{\"epoch\":\"" + s.getString("epoch") + "\",\"seq\":3}");
        assertEquals(0, again.getInt("recovered"));
    }

    @Test
    void beyondTheHistoryBoundTheClientIsToldOfTheGap() {
        JsonObject s = subscribe(f, "a", null);
        publish(f, 1, 50); // history keeps 31..50
        FakeConnection conn = new FakeConnection("late");
        Peer peer = f.sessions.open(conn, null, null);
        f.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + s.getString("epoch") + "\",\"seq\":10}}");
        List<JsonObject> got = frames(conn);
        assertEquals("gap", got.get(0).getString("type"));
        assertEquals("history", got.get(0).getString("reason"));
        assertEquals(50, got.get(0).getInt("seq"));
        assertEquals("subscribed", got.get(1).getString("type"));
        assertFalse(got.get(1).containsKey("recovered"));
        assertEquals(2, got.size(), "nothing replayed after a gap");

        JsonObject edge = subscribe(f, "edge", "{\"epoch\":\"" + s.getString("epoch") + "\",\"seq\":30}");
        assertEquals(20, edge.getInt("recovered"), "seq 31 is the oldest kept: exactly reachable");
    }

    @Test
    void anotherEpochIsAGap() {
        subscribe(f, "a", null);
        publish(f, 1, 3);
        FakeConnection conn = new FakeConnection("restarted");
        Peer peer = f.sessions.open(conn, null, null);
        f.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"epoch\":\"0123456789abcdef\",\"seq\":2}}");
        JsonObject gap = frames(conn).get(0);
        assertEquals("gap", gap.getString("type"));
        assertEquals("epoch", gap.getString("reason"));
    }

    @Test
    void historyExpiresWithAgeAndAnIdleTopicGoesWithANewEpochNext() {
        Wiring fx = fixture(PulseSettings.defaults().with(Setting.HISTORY_TTL, 10_000));
        FakeConnection conn = new FakeConnection("a");
        Peer peer = fx.sessions.open(conn, null, null);
        fx.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\"}");
        String epoch = frames(conn).get(0).getString("epoch");
        publish(fx, 1, 3);
        fx.sessions.closed(peer, 1006);
        clock.advance(10_001);
        fx.topics.expire();
        assertEquals(0, fx.topics.historyBytes());
        JsonObject resumed = subscribe(fx, "b", "{\"epoch\":\"" + epoch + "\",\"seq\":1}");
        assertEquals("subscribed", resumed.getString("type"));

        fx.sessions.onText(fx.registry.get("b"), "{\"type\":\"unsubscribe\",\"topic\":\"news\"}");
        clock.advance(10_001);
        fx.topics.expire();
        JsonObject fresh = subscribe(fx, "c", null);
        assertTrue(!fresh.getString("epoch").equals(epoch), "a topic created again has a new epoch");
        assertEquals(0, fresh.getInt("seq"));
    }

    @Test
    void historyIsBoundedInBytesAcrossTopicsOldestFirst() {
        Wiring fx = fixture(PulseSettings.defaults().with(Setting.HISTORY_MAX_BYTES, 2_000));
        FakeConnection conn = new FakeConnection("a");
        Peer peer = fx.sessions.open(conn, null, null);
        fx.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"old\"}");
        fx.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"busy\"}");
        for (int i = 0; i < 5; i++) {
            fx.messaging.publish("old", Json.createValue("x".repeat(100)));
        }
        for (int i = 0; i < 50; i++) {
            fx.messaging.publish("busy", Json.createValue("y".repeat(100)));
        }
        assertTrue(fx.topics.historyBytes() <= 2_000, "history " + fx.topics.historyBytes());
        fx.topics.expire(); // compacts the eviction queue
        assertTrue(fx.topics.historyBytes() > 1_500, "the bound is used, not emptied");
    }

    @Test
    void replayAndLivePublishesNeverInterleave() throws Exception {
        Wiring fx = fixture(PulseSettings.defaults().with(Setting.HISTORY_SIZE, 1_000_000)
                .with(Setting.MAX_QUEUED_BYTES, 1_000_000_000));
        FakeConnection origin = new FakeConnection("origin");
        Peer first = fx.sessions.open(origin, null, null);
        fx.sessions.onText(first, "{\"type\":\"subscribe\",\"topic\":\"news\"}");
        String epoch = frames(origin).get(0).getString("epoch");
        publish(fx, 1, 10);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            int i = 11;
            while (running.get() && i < 200_000) {
                fx.messaging.publish("news", Json.createValue("m" + i++));
            }
        });
        publisher.start();
        Await.until("the publisher to be under way", 5_000, () -> origin.texts.size() > 1_000);
        FakeConnection conn = new FakeConnection("resumer");
        Peer peer = fx.sessions.open(conn, null, null);
        fx.sessions.onText(peer, "{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"epoch\":\"" + epoch + "\",\"seq\":5}}");
        Await.until("live messages after the replay", 5_000, () -> conn.texts.size() > 2_000 || !publisher.isAlive());
        running.set(false);
        publisher.join();
        List<JsonObject> got = frames(conn);
        assertEquals("subscribed", got.get(0).getString("type"));
        long recovered = got.get(0).getInt("recovered");
        assertTrue(recovered > 5, "the publisher was under way: " + recovered);
        long expected = 6;
        for (JsonObject m : got.subList(1, got.size())) {
            assertEquals(expected++, m.getJsonNumber("seq").longValue(), "replayed and live messages in order, once each");
        }
        assertTrue(expected - 6 > recovered, "live messages followed the replay");
    }
}
