package dev.pulse;

/**
 * Names, message types and close codes of Pulse protocol v1, in one place.
 * The JavaScript client mirrors these in {@code webapp-client/src/constants.js};
 * {@code docs/protocol.md} documents every one of them.
 */
public final class Protocol {

    public static final int VERSION = 1;

    /** Endpoint path inside the web application: {@code ws://HOST:PORT/CONTEXT/ws}. */
    public static final String ENDPOINT_PATH = "/ws";

    // JSON message types
    public static final String WELCOME = "welcome";
    public static final String HEARTBEAT = "heartbeat";
    public static final String HEARTBEAT_ACK = "heartbeat_ack";
    public static final String TIME = "time";
    public static final String ERROR = "error";

    // Plain-text frames understood for simple clients, and their answers
    public static final String TEXT_HEARTBEAT = "heartbeat";
    public static final String TEXT_HEARTBEAT_ACK = "heartbeat_ack";
    public static final String TEXT_PING = "ping";
    public static final String TEXT_PONG = "pong";

    // Error codes carried by {"type":"error","code":...}
    public static final String ERROR_BAD_MESSAGE = "bad_message";

    private Protocol() {
    }

    /** Close codes Pulse sends, with the reason text that goes with each. */
    public enum Close {
        /** The web application is being stopped or undeployed. */
        GOING_AWAY(1001, "server shutdown"),
        /** A send to the peer failed; the peer is probably gone. */
        SEND_FAILED(1011, "send failed"),
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
