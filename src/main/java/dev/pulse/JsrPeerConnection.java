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

    private final Session session;

    /** Tomcat's bound on blocking sends (pings, close frames) for one session, in ms (a Long). */
    static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /**
     * @param sendTimeoutMillis bound on one send: async sends fail after it, and on Tomcat so do
     *                          blocking ones (pings, close frames), so no Pulse thread waits longer
     */
    JsrPeerConnection(Session session, long sendTimeoutMillis) {
        this.session = session;
        session.getAsyncRemote().setSendTimeout(sendTimeoutMillis);
        session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, sendTimeoutMillis);
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
