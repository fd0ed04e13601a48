package dev.pulse;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names, message types and close codes of Pulse protocol v1, in one place.
 * The JavaScript client mirrors these in {@code webapp-client/src/constants.js};
 * {@code docs/protocol.md} documents every one of them.
 */
public final class Protocol {

    public static final int VERSION = 1;

    /** Endpoint path inside the web application: {@code ws://HOST:PORT/CONTEXT/ws}. */
    public static final String ENDPOINT_PATH = "/ws";

    /** The subprotocol Pulse offers; a client that sends its token as a subprotocol entry offers this too. */
    public static final String SUBPROTOCOL = "pulse.v1";

    // JSON message types
    public static final String WELCOME = "welcome";
    public static final String HEARTBEAT = "heartbeat";
    public static final String HEARTBEAT_ACK = "heartbeat_ack";
    public static final String TIME = "time";
    public static final String ERROR = "error";
    public static final String SUBSCRIBE = "subscribe";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String SUBSCRIBED = "subscribed";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String MESSAGE = "message";
    public static final String PRESENCE = "presence";
    public static final String GAP = "gap";
    /** {@code gap} reasons: the topic is another incarnation (epoch) than the client's. */
    public static final String GAP_EPOCH = "epoch";
    /** {@code gap} reason: the history no longer reaches back to the client's seq. */
    public static final String GAP_HISTORY = "history";
    /** {@code gap} reason: publishes were lost between nodes, or the cluster's history was out of reach. */
    public static final String GAP_CLUSTER = "cluster";
    public static final String DISCONNECT_REPORT = "disconnect_report";

    /**
     * Causes a client may report for its previous disconnect: the server closed it ({@code code}
     * says how), the client's own heartbeat deadline passed, the network dropped it (1006), the
     * browser was offline, the page was hidden (throttled or frozen) when it dropped, or the
     * client's own code dropped it.
     */
    public static final Set<String> REPORT_CAUSES =
            Set.of("server_close", "heartbeat_timeout", "network", "offline", "hidden", "client");

    // presence events
    public static final String PRESENCE_JOIN = "join";
    public static final String PRESENCE_LEAVE = "leave";

    /** Topic names: 1 to 100 of letters, digits and {@code _ - . : / @}. */
    public static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9_.:/@-]{1,100}");
    public static final String TOPIC_RULE = "topic must be 1 to 100 characters of letters, digits and _ - . : / @";

    // Plain-text frames understood for simple clients, and their answers
    public static final String TEXT_HEARTBEAT = "heartbeat";
    public static final String TEXT_HEARTBEAT_ACK = "heartbeat_ack";
    public static final String TEXT_PING = "ping";
    public static final String TEXT_PONG = "pong";

    // Error codes carried by {"type":"error","code":...}
    public static final String ERROR_BAD_MESSAGE = "bad_message";
    public static final String ERROR_BAD_TOPIC = "bad_topic";
    public static final String ERROR_TOO_MANY_TOPICS = "too_many_topics";
    public static final String ERROR_NO_HANDLER = "no_handler";
    public static final String ERROR_REJECTED = "rejected";
    public static final String ERROR_SERVER = "server_error";
    public static final String ERROR_RATE_LIMITED = "rate_limited";

    private Protocol() {
    }

    /** Close codes Pulse sends, with the reason text that goes with each. */
    public enum Close {
        /** The web application is being stopped or undeployed. */
        GOING_AWAY(1001, "server shutdown"),
        /** A send to the peer failed; the peer is probably gone. */
        SEND_FAILED(1011, "send failed"),
        /** The host application closed the session through {@link Pulse#close}. */
        CLOSED_BY_APP(1000, "closed by server"),
        /** A binary frame: Pulse has no binary messages. */
        UNSUPPORTED_DATA(1003, "binary messages are not supported"),
        /** More than maxBadMessages bad messages in a row. */
        TOO_MANY_BAD_MESSAGES(1008, "too many bad messages"),
        /** Still sending after the rate limit's error frame, past a burst's worth. */
        RATE_LIMITED(1008, "rate limit exceeded"),
        /** A text message over maxMessageSize. */
        TOO_BIG(1009, "message too big"),
        /** More than maxQueuedBytes queued, or a send running longer than sendTimeout. */
        SLOW_CONSUMER(4008, "slow consumer"),
        /** Over maxSessions or maxSessionsPerAddress (a handshake that raced past the filter's check). */
        SERVER_FULL(1013, "server full"),
        /** The token verifier refused the client, or it brought no token. */
        UNAUTHORIZED(4401, "unauthorized"),
        /** Pulse is not running in this web application (not yet started or already stopped). */
        NOT_RUNNING(1013, "pulse not running"),
        /** No frame of any kind arrived for pingInterval + pongTimeout. */
        HEARTBEAT_TIMEOUT(4000, "heartbeat timeout");

        public final int code;
        public final String reason;

        Close(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }
    }
}
