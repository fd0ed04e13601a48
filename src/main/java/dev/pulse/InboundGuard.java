package dev.pulse;

import java.nio.charset.StandardCharsets;

/**
 * Per-session limits on what a client sends: message size (assembling partial frames without
 * holding more than the limit), a token bucket for the message rate, and counts of bad and
 * rate-limited messages in a row. Not thread-safe: the container delivers one message of a
 * session at a time, and only that thread calls this.
 */
final class InboundGuard {

    /** Thrown by {@link #assemble} when a message passes {@code maxMessageSize}. */
    static final class TooBig extends Exception {
        private static final long serialVersionUID = 1L;

        TooBig() {
            super(null, null, false, false);
        }
    }

    private final long maxMessageBytes;
    private final double ratePerMilli;
    private final double burst;
    private StringBuilder partial;
    private long partialBytes;
    private double tokens;
    private long lastRefill;
    private int badInARow;
    private int limitedInARow;

    InboundGuard(long maxMessageBytes, long ratePerSecond, long burst, long nowMillis) {
        this.maxMessageBytes = maxMessageBytes;
        this.ratePerMilli = ratePerSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = nowMillis;
    }

    /**
     * Adds a part of a text message; returns the whole message once {@code last}, else null.
     * Never holds more than the size limit.
     */
    String assemble(String part, boolean last) throws TooBig {
        long bytes = partialBytes + utf8Length(part);
        if (bytes > maxMessageBytes) {
            partial = null;
            partialBytes = 0;
            throw new TooBig();
        }
        if (last && partial == null) {
            return part;
        }
        if (partial == null) {
            partial = new StringBuilder(part.length() * 2);
        }
        partial.append(part);
        partialBytes = bytes;
        if (!last) {
            return null;
        }
        String whole = partial.toString();
        partial = null;
        partialBytes = 0;
        return whole;
    }

    static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Takes a token for one message; false when the session is over its rate. */
    boolean tryAcquire(long nowMillis) {
        long elapsed = nowMillis - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerMilli);
            lastRefill = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            limitedInARow = 0;
            return true;
        }
        limitedInARow++;
        return false;
    }

    /** Messages refused for rate in a row, this one included. */
    int limitedInARow() {
        return limitedInARow;
    }

    /** Counts a bad message; returns how many in a row, this one included. */
    int bad() {
        return ++badInARow;
    }

    void good() {
        badInARow = 0;
    }
}
