package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Session handling, liveness and time push on fakes, with a clock the test advances. */
class SessionHandlerTest {

    private final MutableClock clock = new MutableClock(1_000_000);
    private final PulseSettings settings = PulseSettings.defaults()
            .with(Setting.PING_INTERVAL, 1000).with(Setting.PONG_TIMEOUT, 500);
    private final Wiring wiring = new Wiring(settings, clock);
    private final SessionRegistry registry = wiring.registry;
    private final MessageCodec codec = wiring.codec;
    private final SessionHandler sessions = wiring.sessions;
    private final LivenessMonitor liveness = wiring.liveness;
    private final TimePusher timePusher = wiring.timePusher;

    @Test
    void openRegistersAndWelcomes() {
        FakeConnection conn = new FakeConnection("s1");
        Peer peer = sessions.open(conn, null, null);
        assertSame(peer, registry.get("s1"));
        assertEquals(codec.welcome("s1", settings, clock.millis()), conn.texts.get(0));
    }

    @Test
    void answersEveryKindOfClientFrame() {
        FakeConnection conn = new FakeConnection("s1");
        Peer peer = sessions.open(conn, null, null);
        sessions.onText(peer, "{\"type\":\"heartbeat\",\"ts\":5}");
        sessions.onText(peer, "heartbeat");
        sessions.onText(peer, "ping");
        sessions.onText(peer, "{\"type\":\"nope\"}");
        assertEquals("{\"type\":\"heartbeat_ack\",\"ts\":5,\"serverTime\":1000000}", conn.texts.get(1));
        assertEquals("heartbeat_ack", conn.texts.get(2));
        assertEquals("pong", conn.texts.get(3));
        assertEquals(codec.error("bad_message", "unknown type 'nope'"), conn.texts.get(4));
        assertNull(conn.closeCode, "bad input must not close the session");
        assertSame(peer, registry.get("s1"));
    }

    @Test
    void silentPeerIsDroppedAtTheLimitAndOthersStay() {
        FakeConnection silent = new FakeConnection("silent");
        FakeConnection chatty = new FakeConnection("chatty");
        FakeConnection ponging = new FakeConnection("ponging");
        sessions.open(silent, null, null);
        Peer c = sessions.open(chatty, null, null);
        Peer p = sessions.open(ponging, null, null);

        clock.advance(1400);
        sessions.onText(c, "heartbeat");
        sessions.onPong(p, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        clock.advance(100); // silent for exactly the limit: not yet
        assertEquals(0, liveness.sweep());
        assertNull(silent.closeCode);

        clock.advance(1);
        assertEquals(1, liveness.sweep());
        assertEquals(4000, silent.closeCode);
        assertEquals("heartbeat timeout", silent.closeReason);
        assertNull(registry.get("silent"), "removed at the sweep, not when @OnClose arrives");
        assertEquals(2, registry.size());

        clock.advance(1400); // both refreshed 1500 ms ago
        assertEquals(2, liveness.sweep());
        assertEquals(0, registry.size());
    }

    @Test
    void closeAfterDropIsHarmless() {
        FakeConnection conn = new FakeConnection("s1");
        Peer peer = sessions.open(conn, null, null);
        sessions.drop(peer, Protocol.Close.HEARTBEAT_TIMEOUT);
        sessions.drop(peer, Protocol.Close.SEND_FAILED);
        sessions.closed(peer, 1000);
        assertEquals(4000, conn.closeCode, "only the first drop closes");
        assertEquals(0, registry.size());
    }

    @Test
    void pingAllPingsEveryPeerAndPongGivesRtt() {
        FakeConnection a = new FakeConnection("a");
        FakeConnection b = new FakeConnection("b");
        Peer pa = sessions.open(a, null, null);
        sessions.open(b, null, null);
        liveness.pingAll();
        assertEquals(1, a.pings.size());
        assertEquals(1, b.pings.size());
        assertEquals(-1, pa.rttNanos());
        sessions.onPong(pa, a.pings.get(0));
        assertTrue(pa.rttNanos() >= 0);
    }

    @Test
    void pingSlicesPingEveryPeerOncePerRoundInEvenShares() {
        Wiring sliced = new Wiring(PulseSettings.defaults().with(Setting.PING_INTERVAL, 2500), clock);
        assertEquals(3, LivenessMonitor.pingSlices(2500, 1000));
        assertEquals(833_333, sliced.liveness.tickMicros());
        List<FakeConnection> conns = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            FakeConnection c = new FakeConnection("c" + i);
            conns.add(c);
            sliced.sessions.open(c, null, null);
        }
        for (int tick = 1; tick <= 3; tick++) {
            assertEquals(0, sliced.liveness.tick());
            assertEquals(10 * tick, conns.stream().mapToInt(c -> c.pings.size()).sum(), "tick " + tick);
            assertTrue(conns.stream().allMatch(c -> c.pings.size() <= 1), "nobody twice in one round");
        }
        sliced.liveness.tick();
        assertEquals(40, conns.stream().mapToInt(c -> c.pings.size()).sum(), "the next round starts over");
        assertEquals(1, LivenessMonitor.pingSlices(10, 1000));
        assertEquals(1, LivenessMonitor.pingSlices(1000, 1000));
        assertEquals(25, LivenessMonitor.pingSlices(25_000, 1000));
    }

    @Test
    void aTickSweepsAndPingsInOneWalkAndComesAtLeastEverySweepInterval() {
        PulseSettings fast = PulseSettings.defaults().with(Setting.PING_INTERVAL, 1000).with(Setting.PONG_TIMEOUT, 400);
        assertEquals(100, LivenessMonitor.sweepInterval(fast));
        Wiring w = new Wiring(fast, clock);
        assertEquals(100_000, w.liveness.tickMicros(), "ten slices of 100 ms: no longer than the sweep may wait");
        FakeConnection quiet = new FakeConnection("quiet");
        Peer quietPeer = w.sessions.open(quiet, null, null);
        clock.advance(900);
        FakeConnection fresh = new FakeConnection("fresh");
        w.sessions.open(fresh, null, null);
        clock.advance(501); // quiet: silent for 1401 ms > 1000 + 400
        int dropped = 0;
        for (int tick = 0; tick < 10; tick++) {
            dropped += w.liveness.tick();
        }
        assertEquals(1, dropped);
        assertEquals(Protocol.Close.HEARTBEAT_TIMEOUT.code, quiet.closeCode);
        assertTrue(quiet.pings.isEmpty(), "a dropped peer is not pinged");
        assertNull(w.registry.get(quietPeer.id()));
        assertEquals(1, fresh.pings.size(), "the other peer got its ping in the same round");
    }

    @Test
    void foreignPongPayloadsGiveNoRtt() {
        assertEquals(-1, LivenessMonitor.roundTripNanos(ByteBuffer.allocate(3), System.nanoTime()));
        assertEquals(-1, LivenessMonitor.roundTripNanos(LivenessMonitor.pingPayload(System.nanoTime() + 1_000_000_000L), System.nanoTime()));
        assertEquals(-1, LivenessMonitor.roundTripNanos(LivenessMonitor.pingPayload(Long.MIN_VALUE), 0));
        assertEquals(5, LivenessMonitor.roundTripNanos(LivenessMonitor.pingPayload(10), 15));
    }

    @Test
    void failedSendDropsOnlyThatPeerAndThePushGoesOn() {
        FakeConnection broken = new FakeConnection("broken");
        FakeConnection fine = new FakeConnection("fine");
        sessions.open(broken, null, null);
        sessions.open(fine, null, null);
        broken.failSends = true;
        assertEquals(1, timePusher.pushTime());
        assertEquals(2, timePusher.pushTime());
        assertNull(registry.get("broken"));
        assertEquals(1011, broken.closeCode);
        assertEquals(3, fine.texts.size(), "welcome and two time pushes");
        assertTrue(fine.texts.get(2).contains("\"seq\":2"));
    }
}
