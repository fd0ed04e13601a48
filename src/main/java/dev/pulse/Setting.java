package dev.pulse;

import java.util.Locale;

/**
 * Every Pulse setting: its name, kind, default and allowed range. Durations are whole numbers of
 * milliseconds, sizes whole numbers of bytes. The sources and their precedence live in
 * {@link PulseSettings}; docs/configuration.md lists them all.
 */
public enum Setting {
    /** How often the server sends a WebSocket Ping frame to every session. */
    PING_INTERVAL("pingInterval", 25_000, 10, 86_400_000),
    /** Grace after a ping interval: a session silent for pingInterval + pongTimeout is closed (4000). */
    PONG_TIMEOUT("pongTimeout", 10_000, 10, 86_400_000),
    /** How often every session gets a {@code time} push. */
    TIME_INTERVAL("timeInterval", 10_000, 10, 86_400_000),
    /** Told to clients in {@code welcome}: how often they should send a heartbeat. */
    HEARTBEAT_INTERVAL("heartbeatInterval", 25_000, 10, 86_400_000),
    /** Told to clients in {@code welcome}: how long past an interval they wait before judging the server dead. */
    HEARTBEAT_TIMEOUT("heartbeatTimeout", 10_000, 10, 86_400_000),
    /** How many topics one session may be subscribed to at once. */
    MAX_TOPICS_PER_SESSION("maxTopicsPerSession", 64, 1, 100_000),
    /** Largest text message a client may send, in bytes; larger closes the session with 1009. */
    MAX_MESSAGE_SIZE("maxMessageSize", 65_536, 128, 16_777_216),
    /** Deepest JSON nesting accepted in a client message; deeper gets an error frame. */
    MAX_JSON_DEPTH("maxJsonDepth", 16, 2, 1000),
    /** Bad messages in a row after which the session is closed with 1008. */
    MAX_BAD_MESSAGES("maxBadMessages", 10, 1, 1_000_000),
    /** Sustained client messages per second per session (heartbeats included). */
    RATE_LIMIT("rateLimit", 20, 1, 1_000_000),
    /** Client messages a session may send in a burst above the sustained rate. */
    RATE_BURST("rateBurst", 40, 1, 1_000_000),
    /** Open sessions at most, in all; past it the handshake is refused with 503. */
    MAX_SESSIONS("maxSessions", 100_000, 1, 10_000_000),
    /** Open sessions at most per client address; 0 = no limit. Past it the handshake is refused with 429. */
    MAX_SESSIONS_PER_ADDRESS("maxSessionsPerAddress", 0, 0, 10_000_000),
    /** Bytes queued for one session at most; past it the session is closed with 4008 (slow consumer). */
    MAX_QUEUED_BYTES("maxQueuedBytes", 1_048_576, 1024, 1_073_741_824),
    /** How long one send may take at most; past it the session is closed with 4008 (slow consumer). */
    SEND_TIMEOUT("sendTimeout", 10_000, 100, 3_600_000),
    /** Threads a time push is spread over (the tick's and the executor's); 0 = one per core. */
    FAN_OUT_THREADS("fanOutThreads", 0, 0, 64),
    /** Window over which clients are told to spread their reconnects after a shutdown (retryAfterMs). */
    SHUTDOWN_SPREAD("shutdownSpread", 10_000, 0, 3_600_000),
    /** Origins allowed to open a WebSocket: empty = the request's own host, * = any, or a comma-separated list. */
    ALLOWED_ORIGINS("allowedOrigins", ""),
    /** Refuse handshakes that carry no Origin header (non-browser clients). */
    REQUIRE_ORIGIN("requireOrigin", false),
    /** Proxy addresses (comma-separated) whose X-Forwarded-For is believed; empty = none. */
    TRUSTED_PROXIES("trustedProxies", ""),
    /** Messages kept per topic for clients that resume after a reconnect; 0 keeps none. */
    HISTORY_SIZE("historySize", 100, 0, 1_000_000),
    /** How long a topic's messages are kept for resuming clients, in ms. */
    HISTORY_TTL("historyTtl", 300_000, 1_000, 86_400_000),
    /** History kept over all topics at most, in bytes; the oldest messages go first. */
    HISTORY_MAX_BYTES("historyMaxBytes", 16_777_216, 0, 4_294_967_296L),
    /** Redis for the cluster, redis://[:password@]host[:port]; empty = this node runs alone. */
    REDIS_URI("redisUri", ""),
    /** This node's id in the cluster; empty = a random one at each start. */
    NODE_ID("nodeId", ""),
    /** A node whose heartbeat stops is forgotten, with its presence entries, after this many ms. */
    CLUSTER_NODE_TTL("clusterNodeTtl", 15_000, 300, 3_600_000),
    /** Serve GET /api/status (settings, counts, RTT percentiles); false answers 404. */
    STATUS_API("statusApi", true),
    /** Serve GET /api/sessions (ids, addresses, users: personal data, so off unless asked for). */
    SESSIONS_API("sessionsApi", false),
    /** Serve GET /metrics in Prometheus text format; false answers 404 (JMX stays on). */
    METRICS_ENDPOINT("metricsEndpoint", true);

    /** What kind of value a setting holds. */
    public enum Kind { NUMBER, TEXT, BOOLEAN }

    /** Name as written in docs and JSON, e.g. {@code pingInterval}. */
    public final String key;
    public final Kind kind;
    /** A Long, String or Boolean, by kind. */
    public final Object defaultValue;
    public final long min;
    public final long max;

    Setting(String key, long defaultValue, long min, long max) {
        this.key = key;
        this.kind = Kind.NUMBER;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
    }

    Setting(String key, String defaultValue) {
        this.key = key;
        this.kind = Kind.TEXT;
        this.defaultValue = defaultValue;
        this.min = 0;
        this.max = 0;
    }

    Setting(String key, boolean defaultValue) {
        this.key = key;
        this.kind = Kind.BOOLEAN;
        this.defaultValue = defaultValue;
        this.min = 0;
        this.max = 0;
    }

    /** web.xml context-param and system property name, e.g. {@code pulse.pingInterval}. */
    public String propertyName() {
        return "pulse." + key;
    }

    /** Environment variable name in upper snake case, e.g. {@code PULSE_PING_INTERVAL}. */
    public String environmentName() {
        return "PULSE_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
