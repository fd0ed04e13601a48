package dev.pulse;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pings every peer and closes the ones that stopped answering. Liveness is a timestamp: any
 * inbound frame refreshes it, and {@link #sweep()} drops every peer whose last frame is older than
 * pingInterval + pongTimeout. All methods are safe to call from any thread and never throw.
 *
 * <p>Pings go out in slices: the ping round (pingInterval) is cut into {@link #pingSlices} ticks of
 * at most {@link #MAX_PING_TICK_MILLIS}, and each tick pings the peers of one slice, so a peer is
 * pinged once per pingInterval and the cost of pinging everyone is spread evenly over the round
 * instead of landing as one burst (which delayed the time push it met).
 */
public final class LivenessMonitor {

    private static final Logger LOG = Logger.getLogger(LivenessMonitor.class.getName());
    private static final long MAX_PLAUSIBLE_RTT = TimeUnit.HOURS.toNanos(1);
    static final long MAX_PING_TICK_MILLIS = 1_000;

    private final SessionRegistry registry;
    private final SessionHandler sessions;
    private final PulseSettings settings;
    private final Clock clock;
    private final PulseMetrics metrics;
    private final int pingSlices;
    /** The slice the next {@link #pingNextSlice} pings, counted modulo pingSlices. */
    private final AtomicLong pingTicks = new AtomicLong();

    LivenessMonitor(SessionRegistry registry, SessionHandler sessions, PulseSettings settings, Clock clock,
                    PulseMetrics metrics) {
        this.registry = registry;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.pingSlices = pingSlices(settings.pingInterval());
    }

    /** How many ticks a ping round is cut into: enough that a tick is at most MAX_PING_TICK_MILLIS. */
    static int pingSlices(long pingIntervalMillis) {
        return (int) Math.max(1, (pingIntervalMillis + MAX_PING_TICK_MILLIS - 1) / MAX_PING_TICK_MILLIS);
    }

    /** The period at which {@link #pingNextSlice} is to be called, in microseconds. */
    long pingTickMicros() {
        return settings.pingInterval() * 1_000 / pingSlices;
    }

    /** Queues a Ping frame to every peer; the payload carries the send time for the RTT. */
    public void pingAll() {
        ping(-1);
    }

    /** Queues a Ping frame to the peers of the next slice of the ping round. */
    public void pingNextSlice() {
        ping((int) (pingTicks.getAndIncrement() % pingSlices));
    }

    /** Pings the peers whose slot falls in {@code slice}, or all peers when it is -1. */
    private void ping(int slice) {
        long sentAt = System.nanoTime();
        int sent = 0;
        for (Peer peer : registry.peers()) {
            if (slice >= 0 && peer.pingSlot() % pingSlices != slice) {
                continue;
            }
            try {
                if (peer.sender().sendPing(pingPayload(sentAt))) {
                    sent++;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Ping to session " + peer.id() + " failed", e);
            }
        }
        metrics.pingsSent(sent);
    }

    /**
     * Drops every peer silent for longer than the silence limit (4000), and every peer whose
     * current send has run longer than sendTimeout (4008); returns how many it dropped.
     */
    public int sweep() {
        long deadline = clock.millis() - settings.silenceLimit();
        long sendTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.get(Setting.SEND_TIMEOUT));
        long nowNanos = System.nanoTime();
        int silent = 0;
        int slow = 0;
        for (Peer peer : registry.peers()) {
            try {
                if (peer.lastSeen() < deadline) {
                    sessions.drop(peer, Protocol.Close.HEARTBEAT_TIMEOUT);
                    silent++;
                } else if (peer.sender().sendingForNanos(nowNanos) > sendTimeoutNanos) {
                    sessions.drop(peer, Protocol.Close.SLOW_CONSUMER);
                    slow++;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Dropping session " + peer.id() + " failed", e);
            }
        }
        if (silent + slow > 0) {
            LOG.info("Sweep closed " + silent + " silent session(s) (4000) and " + slow + " with a send past sendTimeout (4008)");
        }
        return silent + slow;
    }

    /** Eight bytes: a System.nanoTime() value. */
    static ByteBuffer pingPayload(long nanoTime) {
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES);
        payload.putLong(nanoTime).flip();
        return payload;
    }

    /** Round-trip time for a pong payload made by {@link #pingPayload}, or -1 if it is not one. */
    static long roundTripNanos(ByteBuffer payload, long nowNanos) {
        if (payload == null || payload.remaining() != Long.BYTES) {
            return -1;
        }
        long rtt = nowNanos - payload.getLong(payload.position());
        return rtt >= 0 && rtt < MAX_PLAUSIBLE_RTT ? rtt : -1;
    }
}
