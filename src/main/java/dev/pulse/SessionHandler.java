package dev.pulse;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What happens to one session from open to close: registration, the welcome, answers to client
 * frames, pong accounting, and removal. Thread-safe; the endpoint calls it from container threads,
 * at most one call at a time per session.
 *
 * <p>A session ends exactly once, at the first of: the container reports it closed, the sweep
 * drops it, a send fails, the application closes it, Pulse stops. That moment removes it from the
 * registry and its topics and tells the close listeners.
 */
public final class SessionHandler {

    private static final Logger LOG = Logger.getLogger(SessionHandler.class.getName());

    private final SessionRegistry registry;
    private final Messaging messaging;
    private final PulseEvents events;
    private final MessageCodec codec;
    private final PulseSettings settings;
    private final Clock clock;
    private final Executor executor;
    private final PulseMetrics metrics;
    /** Hands out ping slots round-robin, so every slice of the ping round holds an even share of peers. */
    private final AtomicInteger pingSlots = new AtomicInteger();

    SessionHandler(SessionRegistry registry, Messaging messaging, PulseEvents events, MessageCodec codec,
                   PulseSettings settings, Clock clock, Executor executor, PulseMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.messaging = messaging;
        this.events = events;
        this.codec = codec;
        this.settings = settings;
        this.clock = clock;
        this.executor = executor;
    }

    /**
     * Registers the connection, queues its welcome, then tells the open listeners (so anything
     * they send comes after the welcome). Over maxSessions or maxSessionsPerAddress (a handshake
     * that raced past the filter) it closes the connection with 1013 and a retry hint instead.
     *
     * @param user          the authenticated user's name, or null
     * @param remoteAddress the client's address, or null where unknown
     * @return the registered peer, or null when refused
     */
    public Peer open(PeerConnection connection, String user, String remoteAddress) {
        long perAddress = settings.get(Setting.MAX_SESSIONS_PER_ADDRESS);
        if (registry.size() >= settings.get(Setting.MAX_SESSIONS)
                || (perAddress > 0 && registry.sessionsOf(remoteAddress) >= perAddress)) {
            long retryAfter = 5_000 + ThreadLocalRandom.current().nextLong(10_001);
            connection.close(Protocol.Close.SERVER_FULL.code, MessageCodec.closeReason(Protocol.Close.SERVER_FULL.reason, retryAfter));
            return null;
        }
        Peer[] self = new Peer[1];
        PeerSender sender = new PeerSender(connection, executor, settings.get(Setting.MAX_QUEUED_BYTES),
                PeerSender.WRITE_THROUGH_CHARS, error -> sendFailed(self[0], error));
        long now = clock.millis();
        InboundGuard inbound = new InboundGuard(settings.get(Setting.MAX_MESSAGE_SIZE),
                settings.get(Setting.RATE_LIMIT), settings.get(Setting.RATE_BURST), now);
        Peer peer = new Peer(connection, sender, now, user, remoteAddress, inbound,
                pingSlots.getAndIncrement() & Integer.MAX_VALUE);
        self[0] = peer;
        registry.add(peer);
        sender.sendText(codec.welcome(connection.id(), settings, clock.millis()));
        metrics.opened();
        if (events.hasOpenListeners()) {
            events.opened(peer.snapshot());
        }
        return peer;
    }

    /**
     * A part of a text message (the whole of it when {@code last} and nothing came before).
     * A message over maxMessageSize closes the session with 1009 without being held whole.
     */
    public void onTextPart(Peer peer, String part, boolean last) {
        String whole;
        try {
            whole = peer.inbound().assemble(part, last);
        } catch (InboundGuard.TooBig e) {
            drop(peer, Protocol.Close.TOO_BIG);
            return;
        }
        if (whole == null) {
            peer.seen(clock.millis());
        } else {
            onText(peer, whole);
        }
    }

    /** A binary frame: Pulse has none, the session is closed with 1003. */
    public void onBinary(Peer peer) {
        drop(peer, Protocol.Close.UNSUPPORTED_DATA);
    }

    /**
     * A whole text message. Bad input is answered with an error frame and the session stays open,
     * up to maxBadMessages in a row (then 1008). Past the rate limit a message is refused with
     * one error frame per run of refusals, and a burst's worth more refusals closes with 1008.
     */
    public void onText(Peer peer, String text) {
        long now = clock.millis();
        peer.seen(now);
        InboundGuard guard = peer.inbound();
        if (!guard.tryAcquire(now)) {
            if (guard.limitedInARow() == 1) {
                sendError(peer, Protocol.ERROR_RATE_LIMITED,
                        "more than " + settings.get(Setting.RATE_LIMIT) + " messages per second; message dropped");
            } else if (guard.limitedInARow() > settings.get(Setting.RATE_BURST)) {
                drop(peer, Protocol.Close.RATE_LIMITED);
            }
            return;
        }
        Inbound message = codec.decode(text);
        if (message instanceof Inbound.Invalid invalid) {
            LOG.fine(() -> "Bad message from session " + peer.id() + ": " + invalid.problem());
            if (guard.bad() > settings.get(Setting.MAX_BAD_MESSAGES)) {
                drop(peer, Protocol.Close.TOO_MANY_BAD_MESSAGES);
            } else {
                sendError(peer, invalid.code(), invalid.problem());
            }
            return;
        }
        guard.good();
        if (message instanceof Inbound.Heartbeat heartbeat) {
            peer.sender().sendText(codec.heartbeatAck(heartbeat.ts(), now));
            metrics.heartbeatAck();
        } else if (message instanceof Inbound.TextHeartbeat) {
            peer.sender().sendText(Protocol.TEXT_HEARTBEAT_ACK);
            metrics.heartbeatAck();
        } else if (message instanceof Inbound.TextPing) {
            peer.sender().sendText(Protocol.TEXT_PONG);
        } else if (message instanceof Inbound.Subscribe subscribe) {
            if (!messaging.subscribe(peer, subscribe.topic(), subscribe.presence(), subscribe.since())) {
                sendError(peer, Protocol.ERROR_TOO_MANY_TOPICS, "at most " + settings.maxTopicsPerSession() + " topics per session");
            }
        } else if (message instanceof Inbound.DisconnectReport report) {
            metrics.clientReport(report.cause(), report.downtimeMillis());
        } else if (message instanceof Inbound.Unsubscribe unsubscribe) {
            messaging.unsubscribe(peer, unsubscribe.topic());
        } else if (message instanceof Inbound.Message clientMessage) {
            deliver(peer, clientMessage);
        }
    }

    /** Hands a client message to the application's handler; its verdict goes back as an error frame. */
    private void deliver(Peer peer, Inbound.Message message) {
        ClientMessageHandler handler = events.messageHandler();
        if (handler == null) {
            sendError(peer, Protocol.ERROR_NO_HANDLER, "this server accepts no client messages");
            return;
        }
        try {
            handler.onMessage(new ClientMessage(peer.snapshot(), message.topic(), message.data()));
        } catch (MessageRejectedException e) {
            sendError(peer, Protocol.ERROR_REJECTED, String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Client message handler failed for session " + peer.id(), e);
            sendError(peer, Protocol.ERROR_SERVER, "the server could not handle the message");
        }
    }

    private void sendError(Peer peer, String code, String message) {
        peer.sender().sendText(codec.error(code, message));
        metrics.errorFrame(code);
    }

    /**
     * A Pong frame. Every pong refreshes liveness; one answering the last Ping proves the peer
     * reads (see {@link PeerSender#pongReceived}); one carrying a payload of
     * {@link LivenessMonitor#pingPayload} also gives the round-trip time. Unsolicited or foreign
     * payloads are ignored for the RTT.
     */
    public void onPong(Peer peer, ByteBuffer payload) {
        peer.seen(clock.millis());
        peer.sender().pongReceived(payload);
        long rtt = LivenessMonitor.roundTripNanos(payload, System.nanoTime());
        if (rtt >= 0) {
            peer.rtt(rtt);
        }
        metrics.pong(rtt);
    }

    /**
     * The container reports the session closed with the given close code; it may already have
     * ended (dropped by Pulse), in which case nothing more happens.
     */
    public void closed(Peer peer, int closeCode) {
        end(peer, closeCode == 1006 ? CloseCause.CONNECTION_LOST : CloseCause.CLIENT_CLOSED);
    }

    /**
     * Ends the session now and closes its connection on the executor, since a close can block on
     * a peer that does not read. Only the first end of a session has any effect.
     */
    public void drop(Peer peer, Protocol.Close why) {
        drop(peer, why.code, why.reason, cause(why));
    }

    /** Ends the session with a close of the given code and reason; see {@link #drop(Peer, Protocol.Close)}. */
    void drop(Peer peer, int code, String reason, CloseCause cause) {
        if (!end(peer, cause)) {
            return;
        }
        LOG.fine(() -> "Closing session " + peer.id() + ": " + code + " " + reason);
        Runnable close = () -> peer.connection().close(code, reason);
        try {
            executor.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    /**
     * Ends the session without closing its connection (the caller does that): out of the registry
     * and its topics, listeners told. True if this call ended it.
     */
    boolean end(Peer peer, CloseCause cause) {
        if (!registry.remove(peer)) {
            return false;
        }
        messaging.sessionEnded(peer);
        metrics.closed(cause);
        if (events.hasCloseListeners()) {
            events.closed(peer.snapshot(), cause);
        }
        return true;
    }

    private static CloseCause cause(Protocol.Close why) {
        return switch (why) {
            case GOING_AWAY -> CloseCause.SERVER_SHUTDOWN;
            case SEND_FAILED -> CloseCause.SEND_FAILED;
            case HEARTBEAT_TIMEOUT -> CloseCause.HEARTBEAT_TIMEOUT;
            case SLOW_CONSUMER -> CloseCause.SLOW_CONSUMER;
            case UNSUPPORTED_DATA, TOO_MANY_BAD_MESSAGES, RATE_LIMITED, TOO_BIG -> CloseCause.POLICY_VIOLATION;
            case CLOSED_BY_APP -> CloseCause.CLOSED_BY_APP;
            case NOT_RUNNING, SERVER_FULL, UNAUTHORIZED ->
                    throw new IllegalArgumentException("a registered session is never closed with " + why);
        };
    }

    private void sendFailed(Peer peer, Throwable error) {
        metrics.sendFailed();
        if (error instanceof SlowConsumerException || error instanceof SocketTimeoutException
                || error.getCause() instanceof SocketTimeoutException) {
            LOG.info("Session " + peer.id() + " is a slow consumer (" + error.getMessage() + "); closing with 4008");
            drop(peer, Protocol.Close.SLOW_CONSUMER);
            return;
        }
        if (error instanceof IOException || error instanceof IllegalStateException) {
            LOG.log(Level.FINE, "Send to session " + peer.id() + " failed; peer is gone", error);
        } else {
            LOG.log(Level.WARNING, "Send to session " + peer.id() + " failed", error);
        }
        drop(peer, Protocol.Close.SEND_FAILED);
    }
}
