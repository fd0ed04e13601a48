package dev.pulse;

import jakarta.json.JsonNumber;

/** A client frame, decoded by {@link MessageCodec}. */
public sealed interface Inbound {

    /** {@code {"type":"heartbeat","ts":n}}; {@code ts} is null when the client sent none. */
    record Heartbeat(JsonNumber ts) implements Inbound {
    }

    /** The plain text frame {@code heartbeat}. */
    record TextHeartbeat() implements Inbound {
    }

    /** The plain text frame {@code ping}. */
    record TextPing() implements Inbound {
    }

    /** Anything else; {@code problem} says what was wrong, for the error frame. */
    record Invalid(String problem) implements Inbound {
    }
}
