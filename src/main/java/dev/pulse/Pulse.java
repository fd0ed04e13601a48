package dev.pulse;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Pulse as the host application sees it: push to sessions and topics, look at sessions and
 * presence, and hear about sessions opening, closing and sending messages.
 *
 * <p>One instance per web application (class loader): {@link #get()} anywhere, {@code @Inject Pulse}
 * where CDI runs (see {@link PulseProducer}), or the servlet context attribute
 * {@link #CONTEXT_ATTRIBUTE}. Listeners may be registered before Pulse has started; sending while
 * it is not running throws {@link IllegalStateException}. All methods are thread-safe and never
 * block on a client: sends are queued to each session's writer.
 *
 * <pre>{@code
 * Pulse pulse = Pulse.get();
 * pulse.onClose((session, cause) -> log.info(session.id() + " left: " + cause));
 * int receivers = pulse.publish("orders", Json.createObjectBuilder().add("id", 42).build());
 * }</pre>
 */
public final class Pulse {

    /** The servlet context attribute under which the lifecycle listener stores {@link #get()}. */
    public static final String CONTEXT_ATTRIBUTE = Pulse.class.getName();

    private static final Pulse INSTANCE = new Pulse();
    /** Longest close reason the WebSocket protocol allows, in UTF-8 bytes. */
    private static final int MAX_REASON_BYTES = 123;

    private final AtomicReference<PulseRuntime> running = new AtomicReference<>();
    private final PulseEvents events = new PulseEvents();

    private Pulse() {
    }

    public static Pulse get() {
        return INSTANCE;
    }

    public boolean isRunning() {
        return running.get() != null;
    }

    /** The running runtime, or null: the endpoint's and status servlet's one hand-off. */
    PulseRuntime runtime() {
        return running.get();
    }

    PulseEvents events() {
        return events;
    }

    void started(PulseRuntime runtime) {
        if (!running.compareAndSet(null, runtime)) {
            throw new IllegalStateException("Pulse is already running in this web application");
        }
    }

    void stopped(PulseRuntime runtime) {
        running.compareAndSet(runtime, null);
    }

    private PulseRuntime require() {
        PulseRuntime runtime = running.get();
        if (runtime == null) {
            throw new IllegalStateException("Pulse is not running");
        }
        return runtime;
    }

    /** Sends {@code {"type":"message","data":…,"seq":n}} to every open session; returns how many. */
    public int broadcast(JsonValue data) {
        return require().messaging().broadcast(data);
    }

    /** {@link #broadcast(JsonValue)} with a JSON string as data. */
    public int broadcast(String text) {
        return broadcast(Json.createValue(text));
    }

    /**
     * Sends {@code {"type":"message","topic":…,"data":…,"seq":n}} to the topic's subscribers;
     * returns how many (0 when nobody is subscribed).
     *
     * @throws IllegalArgumentException if the topic name breaks the rule in docs/protocol.md
     */
    public int publish(String topic, JsonValue data) {
        return require().messaging().publish(topic, data);
    }

    /** {@link #publish(String, JsonValue)} with a JSON string as data. */
    public int publish(String topic, String text) {
        return publish(topic, Json.createValue(text));
    }

    /** Sends {@code {"type":"message","data":…}} to one session; false if it is not open. */
    public boolean send(String sessionId, JsonValue data) {
        return require().messaging().send(sessionId, data);
    }

    /** {@link #send(String, JsonValue)} with a JSON string as data. */
    public boolean send(String sessionId, String text) {
        return send(sessionId, Json.createValue(text));
    }

    /**
     * Closes a session with 1000 and the reason (cut to 123 UTF-8 bytes); close listeners get
     * {@link CloseCause#CLOSED_BY_APP}. False if it is not open.
     */
    public boolean close(String sessionId, String reason) {
        PulseRuntime runtime = require();
        Peer peer = runtime.registry().get(sessionId);
        if (peer == null) {
            return false;
        }
        runtime.sessions().drop(peer, Protocol.Close.CLOSED_BY_APP.code, truncate(reason), CloseCause.CLOSED_BY_APP);
        return true;
    }

    private static String truncate(String reason) {
        String r = reason == null ? Protocol.Close.CLOSED_BY_APP.reason : reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** Snapshots of every open session. */
    public List<SessionInfo> sessions() {
        return require().registry().peers().stream().map(Peer::snapshot).toList();
    }

    public Optional<SessionInfo> session(String sessionId) {
        return Optional.ofNullable(require().registry().get(sessionId)).map(Peer::snapshot);
    }

    /** Snapshots of this node's sessions subscribed to the topic; see {@link #members} for the whole cluster. */
    public List<SessionInfo> presence(String topic) {
        return require().messaging().members(topic).stream().map(Peer::snapshot).toList();
    }

    /**
     * Who is subscribed to the topic on every node of the cluster (this node's sessions first); the
     * same as {@link #presence} in members when running alone. Reading the other nodes is bounded
     * in time; when the cluster cannot be read, only this node's members are returned.
     */
    public List<Member> members(String topic) {
        return require().messaging().clusterMembers(topic);
    }

    /** This node's id in the cluster (a random one when {@code nodeId} is not set). */
    public String nodeId() {
        return require().cluster().nodeId();
    }

    /** Topics that have at least one subscriber. */
    public Set<String> topics() {
        return require().topics().names();
    }

    /** Called after a session's welcome is queued, on the container thread that opened it. */
    public Registration onOpen(Consumer<SessionInfo> listener) {
        return events.onOpen(listener);
    }

    /** Called once per session when it ends, with why; already out of the registry and its topics. */
    public Registration onClose(SessionCloseListener listener) {
        return events.onClose(listener);
    }

    /**
     * Sets the access-token check for handshakes. Clients whose token it refuses (or who bring
     * none) are closed with 4401 right after the upgrade. Only one verifier at a time.
     *
     * @throws IllegalStateException if a verifier is already registered
     */
    public Registration tokenVerifier(TokenVerifier verifier) {
        return events.tokenVerifier(verifier);
    }

    /**
     * Sets the handler for client {@code message} frames. Only one handler at a time.
     *
     * @throws IllegalStateException if a handler is already registered
     */
    public Registration onMessage(ClientMessageHandler handler) {
        return events.onMessage(handler);
    }
}
