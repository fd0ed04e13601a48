package dev.pulse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link PeerConnection} that records what is sent. By default async text sends complete at
 * once; with {@link #holdCompletions()} they wait for {@link #completeNext}. Written-through text
 * always completes before {@link #writeText} returns.
 */
final class FakeConnection implements PeerConnection {

    final String id;
    final List<String> texts = Collections.synchronizedList(new ArrayList<>());
    final List<ByteBuffer> pings = new CopyOnWriteArrayList<>();
    /** How many of {@link #texts} came through {@link #writeText} (blocking) rather than async. */
    final AtomicInteger writtenThrough = new AtomicInteger();
    volatile Integer closeCode;
    volatile String closeReason;
    volatile boolean failSends;
    /** Runs on the sending thread while each text frame is being sent (before it completes). */
    volatile Runnable duringSend = () -> { };
    private volatile boolean hold;
    private final Queue<Consumer<Throwable>> pending = new ArrayDeque<>();
    /** Sends that have started and not completed; a correct sender keeps this at most 1. */
    private int inFlight;
    volatile int maxInFlight;

    FakeConnection(String id) {
        this.id = id;
    }

    FakeConnection holdCompletions() {
        hold = true;
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void sendText(String text, Consumer<Throwable> onDone) {
        synchronized (this) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            if (hold) {
                texts.add(text);
                pending.add(onDone);
                return;
            }
            inFlight--;
        }
        if (failSends) {
            onDone.accept(new IOException("broken pipe"));
            return;
        }
        texts.add(text);
        duringSend.run();
        onDone.accept(null);
    }

    @Override
    public void writeText(String text) throws IOException {
        synchronized (this) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
        }
        try {
            if (failSends) {
                throw new IOException("broken pipe");
            }
            writtenThrough.incrementAndGet(); // before the text: a waiter on texts then sees the count
            texts.add(text);
            duringSend.run();
        } finally {
            synchronized (this) {
                inFlight--;
            }
        }
    }

    /** Completes the oldest held send, on the calling thread. */
    void completeNext(Throwable error) {
        Consumer<Throwable> onDone;
        synchronized (this) {
            onDone = pending.remove();
            inFlight--;
        }
        onDone.accept(error);
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    @Override
    public void sendPing(ByteBuffer payload) throws IOException {
        if (failSends) {
            throw new IOException("broken pipe");
        }
        pings.add(payload);
    }

    @Override
    public void close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }
}
