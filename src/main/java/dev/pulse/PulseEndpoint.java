package dev.pulse;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The WebSocket endpoint: a thin per-connection adapter that hands every event to the running
 * {@link PulseRuntime}. One instance per connection; the container calls it on its own threads.
 */
@ServerEndpoint(value = Protocol.ENDPOINT_PATH, subprotocols = Protocol.SUBPROTOCOL, configurator = PulseConfigurator.class)
public class PulseEndpoint {

    private static final Logger LOG = Logger.getLogger(PulseEndpoint.class.getName());

    /**
     * The container's per-session receive buffers, in chars and bytes. Text arrives in parts of at
     * most this size (partial delivery) and Pulse assembles it up to maxMessageSize; binary is
     * refused at its first part. Containers allocate these buffers for every session, so they are
     * kept small instead of at the largest message accepted.
     */
    static final int TEXT_PART_CHARS = 1024;
    static final int BINARY_PART_BYTES = 128;

    private SessionHandler sessions;
    private Peer peer;

    @OnOpen
    public void onOpen(Session session) throws IOException {
        session.setMaxTextMessageBufferSize(TEXT_PART_CHARS); // Tomcat: takes effect at the next message
        session.setMaxBinaryMessageBufferSize(BINARY_PART_BYTES);
        PulseRuntime runtime = Pulse.get().runtime();
        if (runtime == null) {
            close(session, Protocol.Close.NOT_RUNNING);
            return;
        }
        HandshakeFilter.Handshake handshake = PulseConfigurator.handshake(session);
        if (handshake != null && handshake.unauthorized()) {
            close(session, Protocol.Close.UNAUTHORIZED);
            return;
        }
        String user = handshake != null && handshake.user() != null ? handshake.user()
                : session.getUserPrincipal() == null ? null : session.getUserPrincipal().getName();
        sessions = runtime.sessions();
        peer = sessions.open(new JsrPeerConnection(session, runtime.settings().get(Setting.SEND_TIMEOUT)), user,
                handshake == null ? null : handshake.clientAddress());
    }

    private static void close(Session session, Protocol.Close why) throws IOException {
        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(why.code), why.reason));
    }

    /** Partial delivery: the container's buffer stays small and Pulse enforces maxMessageSize. */
    @OnMessage
    public void onText(String part, boolean last) {
        if (peer != null) {
            sessions.onTextPart(peer, part, last);
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        if (peer != null) {
            sessions.onBinary(peer);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        if (peer != null) {
            sessions.onPong(peer, pong.getApplicationData());
        }
    }

    @OnClose
    public void onClose(CloseReason reason) {
        if (peer != null) {
            sessions.closed(peer, reason.getCloseCode().getCode());
        }
    }

    /** A vanished peer is routine; anything else is worth a warning. The container closes the session. */
    @OnError
    public void onError(Throwable error) {
        String id = peer == null ? "?" : peer.id();
        if (error instanceof IOException || error.getCause() instanceof EOFException) {
            LOG.log(Level.FINE, "Session " + id + " I/O error", error);
        } else {
            LOG.log(Level.WARNING, "Session " + id + " error", error);
        }
    }
}
