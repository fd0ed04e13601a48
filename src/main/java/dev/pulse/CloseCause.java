package dev.pulse;

/** Why a session ended, as reported to {@link SessionCloseListener}s. */
public enum CloseCause {
    /** The client sent a close frame. */
    CLIENT_CLOSED,
    /** The connection ended without a close frame (1006): network loss, a killed client. */
    CONNECTION_LOST,
    /** Nothing arrived from the client for pingInterval + pongTimeout; closed with 4000. */
    HEARTBEAT_TIMEOUT,
    /** A send to the client failed; closed with 1011. */
    SEND_FAILED,
    /** The client did not read fast enough (queue or send time bound); closed with 4008. */
    SLOW_CONSUMER,
    /** The client broke the rules: binary (1003), too many bad messages or over its rate (1008), too big (1009). */
    POLICY_VIOLATION,
    /** The host application closed it through {@link Pulse#close}. */
    CLOSED_BY_APP,
    /** Pulse stopped (undeploy, shutdown); closed with 1001. */
    SERVER_SHUTDOWN
}
