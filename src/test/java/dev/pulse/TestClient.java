package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client (the JDK's), recording what it receives. The JDK client answers server
 * Pings with Pongs by itself, like a browser. Sends are serialised, as the JDK client requires.
 */
final class TestClient implements AutoCloseable {

    /** Close code and reason as the client saw them. */
    record Closed(int code, String reason) {
    }

    /** One JDK client for all test connections: its selector thread serves them all. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    /** System.nanoTime() at the arrival of each {@code time} push. */
    final java.util.List<Long> timeArrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger pings = new AtomicInteger();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private TestClient(URI uri, String... subprotocols) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.socket = builder.buildAsync(uri, listener).join();
    }

    static TestClient connect(URI uri) {
        return new TestClient(uri);
    }

    /** Connects offering these subprotocols, in order. */
    static TestClient connect(URI uri, String... subprotocols) {
        return new TestClient(uri, subprotocols);
    }

    /** The subprotocol the server selected, or "" for none. */
    String subprotocol() {
        return socket.getSubprotocol();
    }

    synchronized void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The next text frame, failing the test if none arrives within the timeout. */
    String next(long timeoutMillis) throws InterruptedException {
        String text = texts.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        assertNotNull(text, "no frame within " + timeoutMillis + " ms");
        return text;
    }

    /** The next JSON frame whose type is {@code type}, skipping others (e.g. time pushes). */
    JsonObject nextOfType(String type, long timeoutMillis) throws InterruptedException {
        return nextMatching(o -> type.equals(o.getString("type", null)), timeoutMillis);
    }

    JsonObject nextMatching(Predicate<JsonObject> wanted, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            String text = texts.poll(Math.max(0, left), TimeUnit.MILLISECONDS);
            assertNotNull(text, "no matching frame within " + timeoutMillis + " ms");
            if (text.startsWith("{")) {
                JsonObject o = json(text);
                if (wanted.test(o)) {
                    return o;
                }
            }
        }
    }

    /** The next frame that is not a time push (plain text or JSON). */
    String nextNonTime(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            String text = texts.poll(Math.max(0, left), TimeUnit.MILLISECONDS);
            assertNotNull(text, "no frame within " + timeoutMillis + " ms");
            if (!text.startsWith("{\"type\":\"time\"")) {
                return text;
            }
        }
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    boolean isOpen() {
        return !socket.isInputClosed() && !socket.isOutputClosed();
    }

    /** Drops the TCP connection without a close handshake. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (partial.indexOf("{\"type\":\"time\"") == 0) {
                    timeArrivals.add(System.nanoTime());
                }
                texts.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            pings.incrementAndGet();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(new Closed(1006, String.valueOf(error)));
        }
    }
}
