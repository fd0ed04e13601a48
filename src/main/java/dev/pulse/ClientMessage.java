package dev.pulse;

import jakarta.json.JsonValue;

/**
 * A {@code {"type":"message","topic":…,"data":…}} frame from a client.
 *
 * @param from  the sending session
 * @param topic the topic the client named, or null
 * @param data  the {@code data} field, {@link JsonValue#NULL} when absent
 */
public record ClientMessage(SessionInfo from, String topic, JsonValue data) {
}
