package dev.pulse;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The one writer of a peer's connection. Any thread may call {@link #sendText} and
 * {@link #sendPing}; frames go out one at a time, in the order they were accepted, so two sends
 * never overlap on the connection (no {@code TEXT_FULL_WRITING}).
 *
 * <p>The queue is drained by a task on the executor; an in-flight async text send holds the
 * drain until its completion, which continues it with text frames and hands Pings (blocking
 * sends) back to the executor. The first failed send calls {@code onFailure} once and every later
 * frame is discarded.
 */
public final class PeerSender {

    private final PeerConnection connection;
    private final Executor executor;
    private final Consumer<Throwable> onFailure;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>(); // String or ByteBuffer (ping)
    /** True from the moment a drain is scheduled until the queue is empty and no send is in flight. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();

    public PeerSender(PeerConnection connection, Executor executor, Consumer<Throwable> onFailure) {
        this.connection = connection;
        this.executor = executor;
        this.onFailure = onFailure;
    }

    /** Queues a text frame; false when the sender has failed and the frame was discarded. */
    public boolean sendText(String text) {
        return enqueue(text);
    }

    /** Queues a Ping frame (payload at most 125 bytes). */
    public boolean sendPing(ByteBuffer payload) {
        return enqueue(payload);
    }

    public boolean hasFailed() {
        return failed.get();
    }

    private boolean enqueue(Object frame) {
        if (failed.get()) {
            return false;
        }
        queue.add(frame);
        if (draining.compareAndSet(false, true)) {
            schedule();
        }
        return true;
    }

    private void schedule() {
        try {
            executor.execute(() -> drain(true));
        } catch (RejectedExecutionException e) {
            fail(e);
        }
    }

    /**
     * Sends queued frames until the queue is empty or a text send is in flight. Never runs on two
     * threads at once (guarded by {@code draining}). {@code mayBlock} is false on the container's
     * completion threads: a Ping (a blocking send) is then handed back to the executor.
     */
    private void drain(boolean mayBlock) {
        while (true) {
            if (failed.get()) {
                queue.clear();
                return; // draining stays true: nothing is sent again
            }
            if (!mayBlock && queue.peek() instanceof ByteBuffer) {
                schedule();
                return;
            }
            Object frame = queue.poll();
            if (frame == null) {
                draining.set(false);
                // a frame added after poll() but before set(false) found draining true: take it over
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            if (frame instanceof ByteBuffer ping) {
                try {
                    connection.sendPing(ping);
                } catch (Exception e) {
                    fail(e);
                }
                continue;
            }
            // Whoever comes second of "sendText returned" and "send completed" continues the drain.
            AtomicBoolean handoff = new AtomicBoolean();
            connection.sendText((String) frame, error -> {
                if (error != null) {
                    fail(error);
                } else if (!handoff.compareAndSet(false, true)) {
                    drain(false); // on the container's completion thread: only non-blocking sends here
                }
            });
            if (handoff.compareAndSet(false, true)) {
                return; // still in flight: its completion resumes the drain
            }
        }
    }

    private void fail(Throwable error) {
        if (failed.compareAndSet(false, true)) {
            queue.clear();
            onFailure.accept(error);
        }
    }
}
