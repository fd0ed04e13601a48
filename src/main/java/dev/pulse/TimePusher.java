package dev.pulse;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Pushes the server time to every peer. Safe to call from any thread; never throws. */
public final class TimePusher {

    private static final Logger LOG = Logger.getLogger(TimePusher.class.getName());

    private final SessionRegistry registry;
    private final MessageCodec codec;
    private final Clock clock;
    /** Strictly increasing over the life of this server. */
    private final AtomicLong seq = new AtomicLong();

    TimePusher(SessionRegistry registry, MessageCodec codec, Clock clock) {
        this.registry = registry;
        this.codec = codec;
        this.clock = clock;
    }

    /** Queues one {@code time} frame, encoded once, to every peer; returns its seq. Serialised so that every peer receives seq in increasing order. */
    public synchronized long pushTime() {
        long n = seq.incrementAndGet();
        String frame = codec.time(clock.millis(), n);
        for (Peer peer : registry.peers()) {
            try {
                peer.sender().sendText(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Time push to session " + peer.id() + " failed", e);
            }
        }
        return n;
    }
}
