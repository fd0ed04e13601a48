package dev.pulse;

/**
 * Thrown by a {@link ClientMessageHandler} to refuse a client message; the message text goes back
 * to the client in {@code {"type":"error","code":"rejected","message":…}}, so it must be fit for
 * the client to read.
 */
public class MessageRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MessageRejectedException(String message) {
        super(message);
    }
}
