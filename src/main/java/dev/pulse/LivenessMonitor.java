package dev.pulse;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pings every peer and closes the ones that stopped answering. Liveness is a timestamp: any
 * inbound frame refreshes it, and the sweep drops every peer whose last frame is older than
 * pingInterval + pongTimeout. All methods are safe to call from any thread and never throw.
 *
 * <p>Both happen in {@link #tick()}, one walk over the registry per tick. Pings go out in slices:
 * the ping round (pingInterval) is cut into {@link #pingSlices} ticks of at most the
 * {@link #sweepInterval}, and each tick pings the peers of one slice, so a peer is pinged once per
 * pingInterval and the cost of pinging everyone is spread evenly over the round instead of
 * landing as one burst (which delayed the time push it met).
 */
public final class LivenessMonitor {

    private static final Logger LOG = Logger.getLogger(LivenessMonitor.class.getName());
    private static final long MAX_PLAUSIBLE_RTT = TimeUnit.HOURS.toNanos(1);
    /** Slice arguments of {@link #walk}: ping every peer, or none. */
    private static final int ALL = -1;
    private static final int NONE = -2;

    private final SessionRegistry registry;
    private final SessionHandler sessions;
    private final PulseSettings settings;
    private final Clock clock;
    private final PulseMetrics metrics;
    private final int pingSlices;
    /** The slice the next {@link #tick} pings, counted modulo pingSlices. */
    private final AtomicLong ticks = new AtomicLong();

    LivenessMonitor(SessionRegistry registry, SessionHandler sessions, PulseSettings settings, Clock clock,
                    PulseMetrics metrics) {
        this.registry = registry;
        this.sessions = sessions;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.pingSlices = pingSlices(settings.pingInterval(), sweepInterval(settings));
    }

    /**
     * The longest the sweep may wait between two runs: a quarter of the pong timeout, between
     * 50 ms and 1 s, so a silent peer is closed at most that long after its silence limit.
     */
    static long sweepInterval(PulseSettings settings) {
        return Math.max(50, Math.min(1000, settings.pongTimeout() / 4));
    }

    /** How many ticks a ping round is cut into: enough that a tick is at most maxTickMillis. */
    static int pingSlices(long pingIntervalMillis, long maxTickMillis) {
        return (int) Math.max(1, (pingIntervalMillis + maxTickMillis - 1) / maxTickMillis);
    }

    /** The period at which {@link #tick} is to be called, in microseconds. */
    long tickMicros() {
        return settings.pingInterval() * 1_000 / pingSlices;
    }

    /**
     * One liveness tick, in one walk over the registry: drops the peers {@link #sweep} would and
     * queues a Ping to the others in the next slice of the ping round. Returns how many it dropped.
     */
    public int tick() {
        return walk(true, (int) (ticks.getAndIncrement() % pingSlices));
    }

    /**
     * Drops every peer silent for longer than the silence limit (4000), and every peer whose
     * current send has run longer than sendTimeout (4008); returns how many it dropped.
     */
    public int sweep() {
        return walk(true, NONE);
    }

    /** Queues a Ping frame to every peer; the payload carries the send time for the RTT. */
    public void pingAll() {
        walk(false, ALL);
    }

    /** Sweeps if asked, and pings the peers whose slot falls in {@code slice} (or ALL, or NONE). */
    private int walk(boolean sweep, int slice) {
        long deadline = clock.millis() - settings.silenceLimit();
        long sendTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.get(Setting.SEND_TIMEOUT));
        long nowNanos = System.nanoTime();
        int silent = 0;
        int slow = 0;
        int pinged = 0;
        for (Peer peer : registry.peers()) {
            try {
                if (sweep && peer.lastSeen() < deadline) {
                    sessions.drop(peer, Protocol.Close.HEARTBEAT_TIMEOUT);
                    silent++;
                } else if (sweep && peer.sender().sendingForNanos(nowNanos) > sendTimeoutNanos) {
                    sessions.drop(peer, Protocol.Close.SLOW_CONSUMER);
                    slow++;
                } else if ((slice == ALL || (slice >= 0 && peer.pingSlot() % pingSlices == slice))
                        && peer.sender().sendPing(pingPayload(nowNanos))) {
                    pinged++;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Liveness check of session " + peer.id() + " failed", e);
            }
        }
        if (slice != NONE) {
            metrics.pingsSent(pinged);
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
