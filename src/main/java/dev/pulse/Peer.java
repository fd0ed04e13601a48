package dev.pulse;

/**
 * One connected session as Pulse tracks it: its connection, its single writer, and the liveness
 * facts the sweep and status read. Timestamps are epoch milliseconds from the runtime's clock.
 */
public final class Peer {

    private final PeerConnection connection;
    private final PeerSender sender;
    private final long connectedAt;
    private volatile long lastSeen;
    /** Round-trip time of the last answered ping in nanoseconds, or -1 before the first pong. */
    private volatile long rttNanos = -1;

    Peer(PeerConnection connection, PeerSender sender, long connectedAt) {
        this.connection = connection;
        this.sender = sender;
        this.connectedAt = connectedAt;
        this.lastSeen = connectedAt;
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

    public long rttNanos() {
        return rttNanos;
    }

    void rtt(long nanos) {
        rttNanos = nanos;
    }
}
