package dev.pulse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The transport of one peer: what Pulse needs of a WebSocket session. Implemented over
 * {@code jakarta.websocket.Session} by {@link JsrPeerConnection}; unit tests use fakes.
 *
 * <p>Callers never overlap two sends on one connection: {@link PeerSender} is the only caller of
 * {@link #sendText}, {@link #writeText} and {@link #sendPing}.
 */
public interface PeerConnection {

    /** Stable, unique among the open connections of this server. */
    String id();

    /**
     * Starts an asynchronous text send. {@code onDone} runs exactly once, on any thread (possibly
     * this one, before the method returns), with null on success or the failure.
     */
    void sendText(String text, Consumer<Throwable> onDone);

    /**
     * Writes a text frame before returning (a blocking send). {@link PeerSender} calls it only
     * while the peer has proven it keeps up, so the write finds room in the socket and returns at
     * once; should the socket be full after all it waits at most the container's blocking-send
     * bound (sendTimeout). Throws when the frame could not be written; the connection is then
     * unusable.
     */
    void writeText(String text) throws IOException;

    /** Sends a Ping frame; may block until it is written. */
    void sendPing(ByteBuffer payload) throws IOException;

    /**
     * Closes with the given code and reason. Never throws: when the close frame cannot be sent the
     * connection is dropped. May block while the close frame is written.
     */
    void close(int code, String reason);
}
