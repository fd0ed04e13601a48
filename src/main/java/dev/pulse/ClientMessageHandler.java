package dev.pulse;

/**
 * The host application's handler for client messages. Called on a container thread, one message
 * of a session at a time. Throw {@link MessageRejectedException} to send the client an error
 * frame with code {@code rejected}; any other exception sends code {@code server_error} and is
 * logged. Either way the session stays open.
 */
@FunctionalInterface
public interface ClientMessageHandler {
    void onMessage(ClientMessage message);
}
