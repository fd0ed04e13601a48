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
    private final PulseMetrics metrics;
    private final FanOut fanOut;
    /** Strictly increasing over the life of this server. */
    private final AtomicLong seq = new AtomicLong();
    private volatile long lastFanoutNanos = -1;

    TimePusher(SessionRegistry registry, MessageCodec codec, Clock clock, PulseMetrics metrics, FanOut fanOut) {
        this.fanOut = fanOut;
        this.registry = registry;
        this.codec = codec;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Queues one {@code time} frame, encoded once, to every peer; returns its seq. Serialised so that every peer receives seq in increasing order. */
    public synchronized long pushTime() {
        long started = System.nanoTime();
        long n = seq.incrementAndGet();
        String frame = codec.time(clock.millis(), n);
        fanOut.forEach(registry.peers(), peer -> {
            try {
                peer.sender().sendText(frame);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Time push to session " + peer.id() + " failed", e);
            }
        });
        long fanout = System.nanoTime() - started;
        lastFanoutNanos = fanout;
        metrics.timePushed(fanout);
        return n;
    }

    /** How long the last push took to queue for every session, or -1 before the first. */
    public long lastFanoutNanos() {
        return lastFanoutNanos;
    }

    /** The seq of the last push, 0 before the first. */
    public long lastSeq() {
        return seq.get();
    }
}
