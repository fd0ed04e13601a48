package dev.pulse;

import jakarta.json.JsonNumber;
import jakarta.json.JsonValue;

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

    /**
     * {@code {"type":"subscribe","topic":t,"presence":bool,"since":{"epoch":e,"seq":n}}}; the topic
     * name is valid; {@code since} is null for a fresh subscription.
     */
    record Subscribe(String topic, boolean presence, TopicRegistry.Since since) implements Inbound {
    }

    /** {@code {"type":"unsubscribe","topic":t}}; the topic name is valid. */
    record Unsubscribe(String topic) implements Inbound {
    }

    /** {@code {"type":"message","topic":t,"data":…}}; topic may be null, data is JSON null when absent. */
    record Message(String topic, JsonValue data) implements Inbound {
    }

    /**
     * {@code {"type":"disconnect_report","cause":c,"code":n,"downtimeMs":n}}: after a reconnect,
     * the client's account of why it lost its previous connection. {@code downtimeMillis} is -1
     * when not given; {@code cause} is one of {@link Protocol#REPORT_CAUSES}.
     */
    record DisconnectReport(String cause, int code, long downtimeMillis) implements Inbound {
    }

    /**
     * Anything else: {@code code} is the error code for the error frame ({@code bad_message} or
     * {@code bad_topic}), {@code problem} says what was wrong.
     */
    record Invalid(String code, String problem) implements Inbound {
        Invalid(String problem) {
            this(Protocol.ERROR_BAD_MESSAGE, problem);
        }
    }
}
