package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Topics, presence, client messages and close causes on fakes. */
class MessagingTest {

    private final MutableClock clock = new MutableClock(5_000_000);
    private final PulseSettings settings = PulseSettings.defaults()
            .with(Setting.PING_INTERVAL, 1000).with(Setting.PONG_TIMEOUT, 500).with(Setting.MAX_TOPICS_PER_SESSION, 3);
    private final Wiring wiring = new Wiring(settings, clock);
    private final SessionRegistry registry = wiring.registry;
    private final Messaging messaging = wiring.messaging;
    private final PulseEvents events = wiring.events;
    private final SessionHandler sessions = wiring.sessions;
    private final LivenessMonitor liveness = wiring.liveness;

    private record Client(FakeConnection conn, Peer peer) {
        /** JSON frames received, welcome excluded. */
        List<JsonObject> frames() {
            List<JsonObject> out = new ArrayList<>();
            for (String t : List.copyOf(conn.texts)) {
                if (!t.startsWith("{")) {
                    continue; // plain-text answers
                }
                JsonObject o = TestClient.json(t);
                if (!"welcome".equals(o.getString("type"))) {
                    out.add(o);
                }
            }
            return out;
        }

        JsonObject last() {
            List<JsonObject> f = frames();
            return f.get(f.size() - 1);
        }
    }

    private Client open(String id, String user) {
        FakeConnection conn = new FakeConnection(id);
        return new Client(conn, sessions.open(conn, user, "127.0.0.1"));
    }

    @Test
    void publishReachesOnlySubscribersWithTopicSeq() {
        Client a = open("a", null);
        Client b = open("b", null);
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"news\"}");
        assertEquals("subscribed", a.last().getString("type"));
        assertEquals("news", a.last().getString("topic"));
        assertEquals(0, a.last().getInt("seq"));
        assertEquals(16, a.last().getString("epoch").length());
        assertTrue(!a.last().containsKey("recovered"), "not a resume");
        assertEquals(1, messaging.publish("news", Json.createValue("one")));
        assertEquals(1, messaging.publish("news", Json.createObjectBuilder().add("n", 2).build()));
        assertEquals(0, messaging.publish("empty", Json.createValue("nobody")));
        List<JsonObject> got = a.frames();
        assertEquals("{\"type\":\"message\",\"topic\":\"news\",\"data\":\"one\",\"seq\":1}", a.conn.texts.get(2));
        assertEquals(2, got.get(2).getInt("seq"));
        assertEquals(2, got.get(2).getJsonObject("data").getInt("n"));
        assertTrue(b.frames().isEmpty(), "b never subscribed");

        sessions.onText(a.peer, "{\"type\":\"unsubscribe\",\"topic\":\"news\"}");
        assertEquals("unsubscribed", a.last().getString("type"));
        assertEquals(0, messaging.publish("news", Json.createValue("three")));
        assertEquals(Set.of(), a.peer.snapshot().topics());
    }

    @Test
    void broadcastAndSendToOne() {
        Client a = open("a", null);
        Client b = open("b", null);
        assertEquals(2, messaging.broadcast(Json.createValue("all")));
        assertEquals("{\"type\":\"message\",\"data\":\"all\",\"seq\":1}", a.conn.texts.get(1));
        assertEquals("{\"type\":\"message\",\"data\":\"all\",\"seq\":1}", b.conn.texts.get(1));
        assertTrue(messaging.send("b", Json.createValue("just you")));
        assertEquals("{\"type\":\"message\",\"data\":\"just you\"}", b.conn.texts.get(2));
        assertEquals(2, a.conn.texts.size());
        assertTrue(!messaging.send("nobody", Json.createValue("x")));
    }

    @Test
    void presenceJoinAndLeaveIncludingASweptPeer() {
        Client watcher = open("w", "wendy");
        Client quiet = open("q", null);
        sessions.onText(watcher.peer, "{\"type\":\"subscribe\",\"topic\":\"room\",\"presence\":true}");
        JsonObject subscribed = watcher.last();
        assertEquals(1, subscribed.getJsonArray("members").size());
        assertEquals("wendy", subscribed.getJsonArray("members").getJsonObject(0).getString("user"));

        sessions.onText(quiet.peer, "{\"type\":\"subscribe\",\"topic\":\"room\"}");
        JsonObject join = watcher.last();
        assertEquals("presence", join.getString("type"));
        assertEquals("join", join.getString("event"));
        assertEquals("q", join.getJsonObject("member").getString("sessionId"));
        assertEquals(2, messaging.members("room").size());
        assertEquals("subscribed", quiet.last().getString("type"), "a subscriber without presence gets no member list");
        assertTrue(!quiet.last().containsKey("members"));

        clock.advance(1400);
        sessions.onText(watcher.peer, "heartbeat");
        clock.advance(200); // quiet is now silent past the limit
        assertEquals(1, liveness.sweep());
        JsonObject leave = watcher.frames().stream().filter(f -> "presence".equals(f.getString("type"))).toList().get(1);
        assertEquals("leave", leave.getString("event"));
        assertEquals("q", leave.getJsonObject("member").getString("sessionId"));
        assertEquals(List.of("w"), messaging.members("room").stream().map(Peer::id).toList());
    }

    @Test
    void topicLimitAndBadTopicsGetErrors() {
        Client a = open("a", null);
        for (String t : List.of("t1", "t2", "t3")) {
            sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"" + t + "\"}");
        }
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"t4\"}");
        assertEquals("too_many_topics", a.last().getString("code"));
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"t1\"}");
        assertEquals("subscribed", a.last().getString("type"), "re-subscribing is not a new topic");
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"has space\"}");
        assertEquals("bad_topic", a.last().getString("code"));
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"" + "x".repeat(101) + "\"}");
        assertEquals("bad_topic", a.last().getString("code"));
        sessions.onText(a.peer, "{\"type\":\"subscribe\"}");
        assertEquals("field 'topic' must be a string", a.last().getString("message"));
        sessions.onText(a.peer, "{\"type\":\"subscribe\",\"topic\":\"t1\",\"presence\":\"yes\"}");
        assertEquals("field 'presence' must be a boolean", a.last().getString("message"));
        assertThrows(IllegalArgumentException.class, () -> messaging.publish("bad topic", Json.createValue(1)));
        assertNull(a.conn.closeCode);
    }

    @Test
    void clientMessagesGoToTheHandlerAndItsVerdictBack() {
        Client a = open("a", "ann");
        sessions.onText(a.peer, "{\"type\":\"message\",\"data\":1}");
        assertEquals("no_handler", a.last().getString("code"));

        List<ClientMessage> received = new CopyOnWriteArrayList<>();
        try (Registration r = events.onMessage(m -> {
            if (m.data().toString().equals("\"bad\"")) {
                throw new MessageRejectedException("data must not be bad");
            }
            if (m.data().toString().equals("\"boom\"")) {
                throw new IllegalStateException("bug");
            }
            received.add(m);
        })) {
            assertThrows(IllegalStateException.class, () -> events.onMessage(m -> { }));
            sessions.onText(a.peer, "{\"type\":\"message\",\"topic\":\"chat\",\"data\":{\"text\":\"hi\"}}");
            assertEquals(1, received.size());
            assertEquals("chat", received.get(0).topic());
            assertEquals("ann", received.get(0).from().user());
            assertEquals("hi", received.get(0).data().asJsonObject().getString("text"));

            sessions.onText(a.peer, "{\"type\":\"message\",\"data\":\"bad\"}");
            assertEquals(Json.createObjectBuilder().add("type", "error").add("code", "rejected")
                    .add("message", "data must not be bad").build(), a.last());
            sessions.onText(a.peer, "{\"type\":\"message\",\"data\":\"boom\"}");
            assertEquals("server_error", a.last().getString("code"));
            sessions.onText(a.peer, "{\"type\":\"message\",\"topic\":5}");
            assertEquals("bad_message", a.last().getString("code"));
        }
        assertNull(events.messageHandler());
        assertNull(a.conn.closeCode);
    }

    @Test
    void closeListenersHearEachEndOnceWithItsCause() {
        List<String> heard = new CopyOnWriteArrayList<>();
        try (Registration r = events.onClose((s, cause) -> heard.add(s.id() + ":" + cause));
             Registration boom = events.onClose((s, cause) -> {
                 throw new IllegalStateException("listener bug must not stop the others");
             })) {
            Client clean = open("clean", null);
            Client lost = open("lost", null);
            Client silent = open("silent", null);
            Client broken = open("broken", null);
            Client kicked = open("kicked", null);

            sessions.closed(clean.peer, 1000);
            sessions.closed(lost.peer, 1006);
            sessions.onText(clean.peer, "heartbeat"); // late frame from an ended session: harmless
            sessions.drop(kicked.peer, 1000, "bye", CloseCause.CLOSED_BY_APP);
            broken.conn.failSends = true;
            messaging.broadcast(Json.createValue("x"));
            clock.advance(2000);
            sessions.onText(broken.peer, "heartbeat"); // refreshes, but its send fails: already gone
            liveness.sweep();
            sessions.closed(silent.peer, 1006); // the container's late @OnClose after the sweep

            assertEquals(List.of("clean:CLIENT_CLOSED", "lost:CONNECTION_LOST", "kicked:CLOSED_BY_APP",
                    "broken:SEND_FAILED", "silent:HEARTBEAT_TIMEOUT"), heard);
            assertEquals(0, registry.size());
            assertEquals(1000, kicked.conn.closeCode);
            assertEquals("bye", kicked.conn.closeReason);
        }
    }

    @Test
    void openListenersSeeTheSessionAfterItsWelcome() {
        List<SessionInfo> opened = new CopyOnWriteArrayList<>();
        try (Registration r = events.onOpen(opened::add)) {
            Client a = open("a", "ann");
            assertEquals(1, opened.size());
            assertEquals("a", opened.get(0).id());
            assertEquals("ann", opened.get(0).user());
            assertEquals("127.0.0.1", opened.get(0).remoteAddress());
            assertEquals(1, a.conn.texts.size());
        }
    }
}
