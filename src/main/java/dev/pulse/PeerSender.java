package dev.pulse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one writer of a peer's connection. Any thread may call {@link #sendText} and
 * {@link #sendPing}; frames go out one at a time, in the order they were accepted, so two sends
 * never overlap on the connection (no {@code TEXT_FULL_WRITING}).
 *
 * <p>An idle sender sends a text frame on the calling thread. While the peer keeps up — at most
 * {@code writeThroughChars} characters written since the last Ping it answered, this frame
 * included — the frame is <em>written through</em>: a blocking send, which finds room in the
 * socket and returns at once, with no completion to hand off (on Tomcat every async send's
 * completion is a task on the container's executor, the largest per-frame cost of a broadcast).
 * Otherwise it starts an async send, which holds the drain until its completion continues it on
 * the completing thread; so a peer that stopped reading never holds the caller. Pings (blocking
 * sends) are always sent from a task on the executor. A Ping is skipped while the previous one is
 * unanswered and more than {@code writeThroughChars} are unproven: the peer is behind, so the
 * Ping could only wait for room in its socket, and the pending Ping's Pong proves the same.
 *
 * <p>A thread sends at most {@link #DRAIN_TURN} frames in one turn of the drain and then hands the
 * rest to the executor: a queue that keeps refilling while it is drained (a client flooding
 * heartbeats, each answered with an ack) never holds the thread that found the sender idle (a
 * time push, a publish) nor a pool thread for longer than one turn.
 *
 * <p>Bounded: when the frames queued and in flight pass {@code maxQueuedBytes} the sender fails
 * with {@link SlowConsumerException}; {@link #sendingForNanos} lets the sweep catch a send that
 * takes too long. The first failure calls {@code onFailure} once and every later frame is
 * discarded.
 */
public final class PeerSender {

    private static final int PING_COST = 16;

    /**
     * Pulse's write-through bound: characters written since the peer's last answered Ping. Far
     * below any socket's buffers, far above what the time push and heartbeat acks add in a ping
     * interval (≈ 2.5 KB in the default 25 s).
     */
    static final long WRITE_THROUGH_CHARS = 4096;

    /** The most frames one thread sends in one turn of the drain; the rest go to the executor. */
    static final int DRAIN_TURN = 32;

    private final PeerConnection connection;
    private final Executor executor;
    private final Consumer<Throwable> onFailure;
    private final long maxQueuedBytes;
    /** Write through while at most this many characters are unproven; 0 = always send async. */
    private final long writeThroughChars;
    private final Queue<Object> queue = new ConcurrentLinkedQueue<>(); // String or ByteBuffer (ping)
    /** True from the moment a drain is scheduled until the queue is empty and no send is in flight. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Characters of queued and in-flight text plus a fixed cost per ping. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** System.nanoTime() when the in-flight send started, or 0 when none is in flight. */
    private volatile long sendingSince;
    /**
     * Characters of text handed to the connection so far. Only the thread holding the drain
     * touches it; the hand-over of the drain ({@code draining}, the send's hand-off) orders it.
     */
    private long writtenChars;
    /** The last Ping handed to the connection, or null before the first. */
    private volatile PingMark lastPing;
    /** The last Ping whose Pong arrived, or null; {@code answeredPing != lastPing} while one is unanswered. */
    private volatile PingMark answeredPing;
    /** Characters the peer has provably read: all written before the last Ping it answered. */
    private volatile long provenReadChars;

    private record PingMark(ByteBuffer payload, long writtenBefore) { }

    /**
     * @param writeThroughChars write text through (blocking) while at most this many characters are
     *                          unproven by an answered Ping, this frame included; 0 = always async
     */
    public PeerSender(PeerConnection connection, Executor executor, long maxQueuedBytes, long writeThroughChars,
                      Consumer<Throwable> onFailure) {
        this.connection = connection;
        this.executor = executor;
        this.maxQueuedBytes = maxQueuedBytes;
        this.writeThroughChars = writeThroughChars;
        this.onFailure = onFailure;
    }

    /** Queues a text frame; false when the sender has failed and the frame was discarded. */
    public boolean sendText(String text) {
        return enqueue(text, text.length());
    }

    /**
     * Queues a Ping frame (payload at most 125 bytes). At its turn it is skipped if the peer is
     * behind an unanswered Ping (see the class comment).
     */
    public boolean sendPing(ByteBuffer payload) {
        return enqueue(payload, PING_COST);
    }

    /**
     * A Pong arrived. If it answers the last Ping written, everything written before that Ping
     * has been read by the peer (one ordered stream), which lets later text be written through.
     * Any thread.
     */
    public void pongReceived(ByteBuffer payload) {
        PingMark ping = lastPing;
        if (ping != null && payload != null && ping.payload().equals(payload)) {
            provenReadChars = ping.writtenBefore();
            answeredPing = ping;
        }
    }

    public boolean hasFailed() {
        return failed.get();
    }

    /** Characters (bytes for ASCII) queued or in flight. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** How long the send in flight has been going, or 0 when none is. */
    public long sendingForNanos(long nowNanos) {
        long since = sendingSince;
        return since == 0 ? 0 : nowNanos - since;
    }

    private boolean enqueue(Object frame, int cost) {
        if (failed.get()) {
            return false;
        }
        if (queuedBytes.addAndGet(cost) > maxQueuedBytes) {
            fail(new SlowConsumerException("more than " + maxQueuedBytes + " bytes queued"));
            return false;
        }
        if (draining.compareAndSet(false, true)) {
            // idle: this thread drains. With nothing queued, a text frame skips the queue (it is
            // written through or started async); a Ping is handed to the executor by the drain
            if (frame instanceof String text && queue.isEmpty() && !failed.get()) {
                if (!startText(text)) {
                    drain(false, 1);
                }
                return true;
            }
            queue.add(frame);
            drain(false, 0);
            return true;
        }
        queue.add(frame);
        if (draining.compareAndSet(false, true)) {
            drain(false, 0); // the drainer finished between our two looks: take over
        }
        return true;
    }

    private void schedule() {
        try {
            executor.execute(() -> drain(true, 0));
        } catch (RejectedExecutionException e) {
            fail(e);
        }
    }

    /**
     * Sends queued frames until the queue is empty, a text send is in flight or this turn has
     * sent {@link #DRAIN_TURN} frames (the rest then go to the executor). Never runs on two
     * threads at once (guarded by {@code draining}). {@code mayBlock} is false on the container's
     * completion threads: a Ping (a blocking send) is then handed back to the executor.
     *
     * @param sentThisTurn frames this thread has already sent in this turn
     */
    private void drain(boolean mayBlock, int sentThisTurn) {
        int sent = sentThisTurn;
        while (true) {
            if (failed.get()) {
                queue.clear();
                return; // draining stays true: nothing is sent again
            }
            if ((!mayBlock && queue.peek() instanceof ByteBuffer) || (sent >= DRAIN_TURN && !queue.isEmpty())) {
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
            sent++;
            if (frame instanceof ByteBuffer ping) {
                if (!behindAnUnansweredPing()) {
                    lastPing = new PingMark(ping.duplicate(), writtenChars); // before: the pong may beat sendPing's return
                    sendingSince = nonZeroNanoTime();
                    try {
                        connection.sendPing(ping);
                    } catch (Exception e) {
                        fail(e);
                    }
                    sendingSince = 0;
                }
                queuedBytes.addAndGet(-PING_COST);
                continue;
            }
            if (startText((String) frame)) {
                return; // still in flight: its completion resumes the drain
            }
        }
    }

    /** The last Ping is unanswered and more than writeThroughChars are unproven; the caller holds the drain. */
    private boolean behindAnUnansweredPing() {
        PingMark ping = lastPing;
        return writeThroughChars > 0 && ping != null && answeredPing != ping
                && writtenChars - provenReadChars > writeThroughChars;
    }

    /**
     * Sends a text frame, written through or async; the caller holds the drain. True while the
     * send is in flight (its completion resumes the drain), false when it completed before
     * returning (the caller goes on draining).
     */
    private boolean startText(String text) {
        sendingSince = nonZeroNanoTime();
        boolean writeThrough = writeThroughChars > 0
                && writtenChars + text.length() - provenReadChars <= writeThroughChars;
        writtenChars += text.length();
        if (writeThrough) {
            try {
                connection.writeText(text);
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
            sendingSince = 0;
            queuedBytes.addAndGet(-text.length());
            return false;
        }
        // Whoever comes second of "sendText returned" and "send completed" continues the drain.
        AtomicBoolean handoff = new AtomicBoolean();
        connection.sendText(text, error -> {
            sendingSince = 0;
            queuedBytes.addAndGet(-text.length());
            if (error != null) {
                fail(error);
            } else if (!handoff.compareAndSet(false, true)) {
                drain(false, 0); // on the container's completion thread: only non-blocking sends here
            }
        });
        return handoff.compareAndSet(false, true);
    }

    private static long nonZeroNanoTime() {
        long now = System.nanoTime();
        return now == 0 ? 1 : now;
    }

    /**
     * Fails the sender (once): nothing more is sent and {@code onFailure} hears why, on the
     * executor — never on the thread that was sending, which may hold its caller's locks (a topic
     * being published to).
     */
    void fail(Throwable error) {
        if (failed.compareAndSet(false, true)) {
            queue.clear();
            try {
                executor.execute(() -> onFailure.accept(error));
            } catch (RejectedExecutionException e) {
                onFailure.accept(error);
            }
        }
    }
}
