package dev.pulse;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link PeerConnection} over a Jakarta WebSocket session, using its async remote. */
final class JsrPeerConnection implements PeerConnection {

    private static final Logger LOG = Logger.getLogger(JsrPeerConnection.class.getName());

    /** Tomcat's bound on blocking sends (written-through text, pings, close frames) for one session, in ms (a Long). */
    static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /**
     * The longest a blocking send (a Ping, written-through text, the close frame) waits for room
     * in the peer's socket, in ms, when sendTimeout is not shorter. Pulse writes blocking only
     * when the socket has room (text within the write-through bound, a Ping that is not behind an
     * unanswered one), so a wait this long means the peer stopped reading: the send fails
     * (4008) or, for the close frame, the connection is dropped without it (the peer sees 1006)
     * instead of holding a Pulse thread for sendTimeout.
     */
    static final long BLOCKING_WAIT_MILLIS = 1_000;

    private final Session session;

    /**
     * @param sendTimeoutMillis bound on one send. Async sends are timed by Pulse's sweep (4008), so
     *                          the container's own per-send timer is switched off: on Tomcat it costs
     *                          a timer-set insert and removal per frame. Blocking sends are bounded
     *                          on Tomcat by the shorter of it and {@link #BLOCKING_WAIT_MILLIS}.
     */
    JsrPeerConnection(Session session, long sendTimeoutMillis) {
        this.session = session;
        session.getAsyncRemote().setSendTimeout(0);
        session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, Math.min(BLOCKING_WAIT_MILLIS, sendTimeoutMillis));
    }

    @Override
    public String id() {
        return session.getId();
    }

    @Override
    public void sendText(String text, Consumer<Throwable> onDone) {
        try {
            session.getAsyncRemote().sendText(text, result -> onDone.accept(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) { // IllegalStateException once the session is closed
            onDone.accept(e);
        }
    }

    /**
     * On Tomcat a blocking send writes on the calling thread and returns without the hand-off to
     * the container's executor that completes every async send.
     */
    @Override
    public void writeText(String text) throws IOException {
        try {
            session.getBasicRemote().sendText(text);
        } catch (IllegalStateException e) {
            throw new IOException("session closed", e);
        }
    }

    @Override
    public void sendPing(ByteBuffer payload) throws IOException {
        try {
            session.getAsyncRemote().sendPing(payload);
        } catch (IllegalStateException e) {
            throw new IOException("session closed", e);
        }
    }

    @Override
    public void close(int code, String reason) {
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Close of session " + id() + " could not be sent; connection dropped", e);
        }
    }
}
