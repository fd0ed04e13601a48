package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-session limits on fakes: what each costs the offender, and only the offender. */
class LimitsTest {

    private final MutableClock clock = new MutableClock(9_000_000);
    private final PulseSettings settings = PulseSettings.defaults()
            .with(Setting.MAX_BAD_MESSAGES, 3).with(Setting.RATE_LIMIT, 10).with(Setting.RATE_BURST, 5)
            .with(Setting.MAX_MESSAGE_SIZE, 1000).with(Setting.MAX_QUEUED_BYTES, 2000).with(Setting.SEND_TIMEOUT, 100);
    private final Wiring wiring = new Wiring(settings, clock);
    private final SessionRegistry registry = wiring.registry;
    private final SessionHandler sessions = wiring.sessions;
    private final List<String> causes = new CopyOnWriteArrayList<>();
    private final Registration listening = wiring.events.onClose((s, cause) -> causes.add(s.id() + ":" + cause));

    @AfterEach
    void unlisten() {
        listening.remove();
    }

    @Test
    void badMessagesInARowCloseWith1008ButGoodOnesResetTheCount() {
        FakeConnection conn = new FakeConnection("bad");
        Peer peer = sessions.open(conn, null, null);
        FakeConnection bystander = new FakeConnection("ok");
        sessions.open(bystander, null, null);
        for (int round = 0; round < 3; round++) {
            sessions.onText(peer, "nope");
            sessions.onText(peer, "nope");
            sessions.onText(peer, "{\"type\":\"heartbeat\"}");
            clock.advance(1000);
        }
        assertNull(conn.closeCode, "good messages in between reset the count");
        sessions.onText(peer, "nope");
        sessions.onText(peer, "nope");
        sessions.onText(peer, "nope");
        assertNull(conn.closeCode, "three bad in a row are tolerated");
        sessions.onText(peer, "nope");
        assertEquals(1008, conn.closeCode);
        assertEquals("too many bad messages", conn.closeReason);
        assertEquals(List.of("bad:POLICY_VIOLATION"), causes);
        assertEquals(1, registry.size());
        assertNull(bystander.closeCode);
    }

    @Test
    void floodGetsOneErrorFrameThenIsClosedPastABurstOfRefusals() {
        FakeConnection conn = new FakeConnection("flood");
        Peer peer = sessions.open(conn, null, null);
        for (int i = 0; i < 5; i++) {
            sessions.onText(peer, "heartbeat");
        }
        assertEquals(6, conn.texts.size(), "welcome and five answers within the burst");
        sessions.onText(peer, "heartbeat");
        assertTrue(conn.texts.get(6).contains("\"code\":\"rate_limited\""), conn.texts.get(6));
        for (int i = 0; i < 4; i++) {
            sessions.onText(peer, "heartbeat");
        }
        assertEquals(7, conn.texts.size(), "one error frame per run of refusals, no answers");
        assertNull(conn.closeCode);
        sessions.onText(peer, "heartbeat");
        assertEquals(1008, conn.closeCode);
        assertEquals("rate limit exceeded", conn.closeReason);
    }

    @Test
    void aClientWithinItsRateIsNeverLimited() {
        FakeConnection conn = new FakeConnection("steady");
        Peer peer = sessions.open(conn, null, null);
        for (int i = 0; i < 200; i++) {
            sessions.onText(peer, "heartbeat");
            clock.advance(100); // 10/s, exactly the rate
        }
        assertEquals(201, conn.texts.size());
        assertNull(conn.closeCode);
    }

    @Test
    void oversizedMessageClosesWith1009WithoutBeingHeldWhole() {
        FakeConnection conn = new FakeConnection("big");
        Peer peer = sessions.open(conn, null, null);
        sessions.onTextPart(peer, "{\"type\":\"heartbeat\",\"x\":\"" + "a".repeat(500), false);
        assertNull(conn.closeCode);
        sessions.onTextPart(peer, "a".repeat(600), false);
        assertEquals(1009, conn.closeCode);
        assertEquals("message too big", conn.closeReason);
        assertEquals(List.of("big:POLICY_VIOLATION"), causes);
    }

    @Test
    void binaryClosesWith1003() {
        FakeConnection conn = new FakeConnection("bin");
        Peer peer = sessions.open(conn, null, null);
        sessions.onBinary(peer);
        assertEquals(1003, conn.closeCode);
    }

    @Test
    void queueOverItsBoundClosesWith4008() {
        FakeConnection conn = new FakeConnection("slow").holdCompletions();
        sessions.open(conn, null, null);
        stallAfterWriteThrough(conn);
        Messaging messaging = wiring.messaging;
        for (int i = 0; i < 30; i++) { // 30 × ≈ 130 characters queued behind the stalled send: past 2000
            messaging.broadcast(jakarta.json.Json.createValue("x".repeat(100)));
        }
        assertEquals(4008, conn.closeCode);
        assertEquals("slow consumer", conn.closeReason);
        assertEquals(List.of("slow:SLOW_CONSUMER"), causes);
        assertEquals(0, registry.size());
    }

    @Test
    void sendRunningPastTheTimeoutIsCaughtByTheSweep() {
        FakeConnection stuck = new FakeConnection("stuck").holdCompletions();
        FakeConnection fine = new FakeConnection("fine");
        Peer stuckPeer = sessions.open(stuck, null, null);
        sessions.open(fine, null, null);
        stallAfterWriteThrough(stuck);
        LivenessMonitor liveness = wiring.liveness;
        assertEquals(0, liveness.sweep());
        Await.until("send older than sendTimeout", 5_000, () -> stuckPeer.sender().sendingForNanos(System.nanoTime()) > 100_000_000L);
        assertEquals(1, liveness.sweep());
        assertEquals(4008, stuck.closeCode);
        assertNull(fine.closeCode);
    }

    /**
     * Broadcasts until {@code conn}'s sender starts an async send, which the fake holds: a peer that
     * stopped reading, whose first frames were written through (its socket took them) and whose
     * first async send never completes. Answers no Ping, so nothing it was sent is proven read.
     */
    private void stallAfterWriteThrough(FakeConnection conn) {
        for (int i = 0; conn.pendingCount() == 0; i++) {
            assertTrue(i < 100, "never left write-through");
            wiring.messaging.broadcast(jakarta.json.Json.createValue("w".repeat(100)));
        }
        assertTrue(conn.writtenThrough.get() > 0, "the first frames are written through");
    }
}
