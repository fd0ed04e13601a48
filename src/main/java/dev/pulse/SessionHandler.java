package dev.pulse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What happens to one session from open to close: registration, the welcome, answers to client
 * frames, pong accounting, and removal. Thread-safe; the endpoint calls it from container threads.
 */
public final class SessionHandler {

    private static final Logger LOG = Logger.getLogger(SessionHandler.class.getName());

    private final SessionRegistry registry;
    private final MessageCodec codec;
    private final PulseSettings settings;
    private final Clock clock;
    private final Executor executor;

    SessionHandler(SessionRegistry registry, MessageCodec codec, PulseSettings settings, Clock clock, Executor executor) {
        this.registry = registry;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
        this.executor = executor;
    }

    /** Registers the connection and queues its welcome. */
    public Peer open(PeerConnection connection) {
        Peer[] self = new Peer[1];
        PeerSender sender = new PeerSender(connection, executor, error -> sendFailed(self[0], error));
        Peer peer = new Peer(connection, sender, clock.millis());
        self[0] = peer;
        registry.add(peer);
        sender.sendText(codec.welcome(connection.id(), settings, clock.millis()));
        return peer;
    }

    /** A text frame from the peer. Bad input is answered with an error frame; the session stays open. */
    public void onText(Peer peer, String text) {
        long now = clock.millis();
        peer.seen(now);
        Inbound message = codec.decode(text);
        if (message instanceof Inbound.Heartbeat heartbeat) {
            peer.sender().sendText(codec.heartbeatAck(heartbeat.ts(), now));
        } else if (message instanceof Inbound.TextHeartbeat) {
            peer.sender().sendText(Protocol.TEXT_HEARTBEAT_ACK);
        } else if (message instanceof Inbound.TextPing) {
            peer.sender().sendText(Protocol.TEXT_PONG);
        } else if (message instanceof Inbound.Invalid invalid) {
            LOG.fine(() -> "Bad message from session " + peer.id() + ": " + invalid.problem());
            peer.sender().sendText(codec.error(Protocol.ERROR_BAD_MESSAGE, invalid.problem()));
        }
    }

    /**
     * A Pong frame. Every pong refreshes liveness; one carrying a payload of
     * {@link LivenessMonitor#pingPayload} also gives the round-trip time. Unsolicited or foreign
     * payloads are ignored for the RTT.
     */
    public void onPong(Peer peer, ByteBuffer payload) {
        peer.seen(clock.millis());
        long rtt = LivenessMonitor.roundTripNanos(payload, System.nanoTime());
        if (rtt >= 0) {
            peer.rtt(rtt);
        }
    }

    /** The container reports the session closed; it may already be gone from the registry. */
    public void closed(Peer peer) {
        registry.remove(peer);
    }

    /** Takes the peer out of the registry without closing it; true if this call removed it. */
    boolean remove(Peer peer) {
        return registry.remove(peer);
    }

    /**
     * Removes the peer from the registry now and closes its connection on the executor, since a
     * close can block on a peer that does not read. Only the first drop of a peer has any effect.
     */
    public void drop(Peer peer, Protocol.Close why) {
        if (!registry.remove(peer)) {
            return;
        }
        LOG.fine(() -> "Closing session " + peer.id() + ": " + why.code + " " + why.reason);
        Runnable close = () -> peer.connection().close(why.code, why.reason);
        try {
            executor.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    private void sendFailed(Peer peer, Throwable error) {
        if (error instanceof IOException || error instanceof IllegalStateException) {
            LOG.log(Level.FINE, "Send to session " + peer.id() + " failed; peer is gone", error);
        } else {
            LOG.log(Level.WARNING, "Send to session " + peer.id() + " failed", error);
        }
        drop(peer, Protocol.Close.SEND_FAILED);
    }
}
