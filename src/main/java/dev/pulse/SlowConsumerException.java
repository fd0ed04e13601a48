package dev.pulse;

/** A peer's outbound queue or a single send passed its bound: the peer does not read fast enough. */
public final class SlowConsumerException extends Exception {

    private static final long serialVersionUID = 1L;

    SlowConsumerException(String message) {
        super(message, null, false, false);
    }
}
