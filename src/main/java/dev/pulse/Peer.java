package dev.pulse;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connected session as Pulse tracks it: its connection, its single writer, and the liveness
 * facts the sweep and status read. Timestamps are epoch milliseconds from the runtime's clock.
 */
public final class Peer {

    private final PeerConnection connection;
    private final PeerSender sender;
    private final long connectedAt;
    private final String user;
    private final String remoteAddress;
    /** Topics this peer is subscribed to; changed only through {@link TopicRegistry}. */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
    private final InboundGuard inbound;
    /** Which slice of the ping round this peer is in (see {@link LivenessMonitor#pingNextSlice}); never negative. */
    private final int pingSlot;
    private volatile long lastSeen;
    /** Round-trip time of the last answered ping in nanoseconds, or -1 before the first pong. */
    private volatile long rttNanos = -1;

    Peer(PeerConnection connection, PeerSender sender, long connectedAt, String user, String remoteAddress,
         InboundGuard inbound, int pingSlot) {
        this.connection = connection;
        this.pingSlot = pingSlot;
        this.inbound = inbound;
        this.sender = sender;
        this.connectedAt = connectedAt;
        this.lastSeen = connectedAt;
        this.user = user;
        this.remoteAddress = remoteAddress;
    }

    public String id() {
        return connection.id();
    }

    public PeerConnection connection() {
        return connection;
    }

    public PeerSender sender() {
        return sender;
    }

    public long connectedAt() {
        return connectedAt;
    }

    public long lastSeen() {
        return lastSeen;
    }

    /** Any inbound frame proves the peer alive. */
    void seen(long now) {
        lastSeen = now;
    }

    int pingSlot() {
        return pingSlot;
    }

    public long rttNanos() {
        return rttNanos;
    }

    void rtt(long nanos) {
        rttNanos = nanos;
    }

    /** The authenticated user's name at the handshake, or null. */
    public String user() {
        return user;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    /** Only for the thread delivering this session's messages. */
    InboundGuard inbound() {
        return inbound;
    }

    Set<String> topics() {
        return topics;
    }

    public SessionInfo snapshot() {
        long rtt = rttNanos;
        return new SessionInfo(id(), user, remoteAddress, Instant.ofEpochMilli(connectedAt), Instant.ofEpochMilli(lastSeen),
                rtt < 0 ? null : Duration.ofNanos(rtt), Set.copyOf(topics));
    }
}
