package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The integration API with real clients on in-JVM Tyrus: topics, presence, events. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TyrusMessagingTest {

    private static final long PROMPT = 5_000;
    private TyrusPulseServer server;
    private final List<AutoCloseable> closeAfter = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TyrusPulseServer.start(TestSettings.settings());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        server.close();
    }

    private TestClient connect() throws InterruptedException {
        TestClient client = TestClient.connect(server.endpoint());
        closeAfter.add(client);
        client.nextOfType("welcome", PROMPT);
        return client;
    }

    @Test
    void appPublishesToSubscribersOnly() throws Exception {
        Pulse pulse = Pulse.get();
        TestClient subscriber = connect();
        TestClient bystander = connect();
        subscriber.send("{\"type\":\"subscribe\",\"topic\":\"orders\"}");
        subscriber.nextOfType("subscribed", PROMPT);

        assertEquals(1, pulse.publish("orders", Json.createObjectBuilder().add("id", 42).build()));
        assertEquals(1, pulse.publish("orders", "second"));
        JsonObject first = subscriber.nextOfType("message", PROMPT);
        assertEquals("orders", first.getString("topic"));
        assertEquals(42, first.getJsonObject("data").getInt("id"));
        assertEquals(1, first.getInt("seq"));
        JsonObject second = subscriber.nextOfType("message", PROMPT);
        assertEquals("second", second.getString("data"));
        assertEquals(2, second.getInt("seq"));

        assertEquals(2, pulse.broadcast("everyone"));
        assertEquals("everyone", bystander.nextOfType("message", PROMPT).getString("data"));
        assertTrue(bystander.texts.stream().noneMatch(t -> t.contains("\"orders\"")), "bystander got a topic message");
        assertEquals(Set.of("orders"), pulse.topics());
    }

    @Test
    void presenceFollowsClientsThatComeAndGoIncludingASweptDeadPeer() throws Exception {
        Pulse pulse = Pulse.get();
        TestClient watcher = connect();
        watcher.send("{\"type\":\"subscribe\",\"topic\":\"room-1\",\"presence\":true}");
        assertEquals(1, watcher.nextOfType("subscribed", PROMPT).getJsonArray("members").size());

        TestClient guest = connect();
        guest.send("{\"type\":\"subscribe\",\"topic\":\"room-1\"}");
        guest.nextOfType("subscribed", PROMPT);
        JsonObject join = watcher.nextOfType("presence", PROMPT);
        assertEquals("join", join.getString("event"));
        String guestId = join.getJsonObject("member").getString("sessionId");
        assertEquals(2, pulse.presence("room-1").size());

        guest.close();
        JsonObject leave = watcher.nextOfType("presence", PROMPT);
        assertEquals("leave", leave.getString("event"));
        assertEquals(guestId, leave.getJsonObject("member").getString("sessionId"));

        // a raw peer subscribes and then goes silent: the sweep takes it out of the room
        try (HostilePeer dead = HostilePeer.upgradeAndGoSilent(server.endpoint())) {
            dead.sendText("{\"type\":\"subscribe\",\"topic\":\"room-1\"}");
            assertEquals("join", watcher.nextOfType("presence", PROMPT).getString("event"));
            assertEquals(2, pulse.presence("room-1").size());
            JsonObject deadLeave = watcher.nextOfType("presence", ProtocolContract.SWEEP_BOUND);
            assertEquals("leave", deadLeave.getString("event"));
        }
        assertEquals(1, pulse.presence("room-1").size());
    }

    @Test
    void listenersHearOpenCloseAndClientMessages() throws Exception {
        Pulse pulse = Pulse.get();
        List<String> events = new CopyOnWriteArrayList<>();
        try (Registration open = pulse.onOpen(s -> events.add("open:" + s.id()));
             Registration close = pulse.onClose((s, cause) -> events.add("close:" + s.id() + ":" + cause));
             Registration handler = pulse.onMessage(m -> {
                 if (!m.data().getValueType().equals(jakarta.json.JsonValue.ValueType.OBJECT)) {
                     throw new MessageRejectedException("data must be an object");
                 }
                 pulse.publish(m.topic(), m.data()); // echo to the room
             })) {
            TestClient client = connect();
            Await.until("open event", PROMPT, () -> events.size() == 1);
            String id = events.get(0).substring("open:".length());
            client.send("{\"type\":\"subscribe\",\"topic\":\"chat\"}");
            client.nextOfType("subscribed", PROMPT);
            client.send("{\"type\":\"message\",\"topic\":\"chat\",\"data\":{\"text\":\"hi\"}}");
            assertEquals("hi", client.nextOfType("message", PROMPT).getJsonObject("data").getString("text"));
            client.send("{\"type\":\"message\",\"topic\":\"chat\",\"data\":7}");
            JsonObject rejected = client.nextOfType("error", PROMPT);
            assertEquals("rejected", rejected.getString("code"));
            assertEquals("data must be an object", rejected.getString("message"));

            assertTrue(pulse.close(id, "kicked"));
            TestClient.Closed closed = client.closed.get(PROMPT, TimeUnit.MILLISECONDS);
            assertEquals(1000, closed.code());
            assertEquals("kicked", closed.reason());
            Await.until("close event", PROMPT, () -> events.size() == 2);
            assertEquals("close:" + id + ":CLOSED_BY_APP", events.get(1));
            assertTrue(pulse.session(id).isEmpty());
        }
        assertNull(Pulse.get().events().messageHandler());
    }
}
