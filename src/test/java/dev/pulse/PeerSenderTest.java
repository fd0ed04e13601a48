package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PeerSenderTest {

    /** Write-through off: every text frame is an async send. */
    private static final long ASYNC_ONLY = 0;

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Test
    void sendsInOrderOneAtATime() {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendText("1");
        sender.sendText("2");
        sender.sendPing(ByteBuffer.allocate(1));
        sender.sendText("3");
        assertEquals(List.of("1"), conn.texts, "second frame must wait for the first to complete");
        conn.completeNext(null);
        assertEquals(List.of("1", "2"), conn.texts);
        conn.completeNext(null);
        assertEquals(1, conn.pings.size(), "ping goes out in its place in the queue");
        assertEquals(List.of("1", "2", "3"), conn.texts);
        conn.completeNext(null);
        assertEquals(1, conn.maxInFlight);
        assertTrue(failures.isEmpty());
    }

    @Test
    void inlineCompletionsDoNotRecurse() {
        FakeConnection conn = new FakeConnection("a");
        AtomicInteger depth = new AtomicInteger();
        PeerSender sender = new PeerSender(conn, r -> {
            assertEquals(0, depth.getAndIncrement(), "drain must not nest");
            try {
                r.run();
            } finally {
                depth.decrementAndGet();
            }
        }, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        // the first send schedules a drain that, completing inline, loops through the whole queue
        IntStream.range(0, 100_000).forEach(i -> sender.sendText("m" + i));
        assertEquals(100_000, conn.texts.size());
    }

    @Test
    void firstFailureIsReportedOnceAndLaterFramesAreDiscarded() {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendText("1");
        sender.sendText("2");
        conn.completeNext(new IOException("reset"));
        assertEquals(1, failures.size());
        assertInstanceOf(IOException.class, failures.get(0));
        assertTrue(sender.hasFailed());
        assertFalse(sender.sendText("3"));
        assertEquals(List.of("1"), conn.texts);
    }

    @Test
    void failedPingFailsTheSender() {
        FakeConnection conn = new FakeConnection("a");
        conn.failSends = true;
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendPing(ByteBuffer.allocate(8));
        assertEquals(1, failures.size());
        assertTrue(sender.hasFailed());
    }

    @Test
    void textFromAnIdleSenderGoesOutOnTheCallingThreadAndPingsViaTheExecutor() {
        FakeConnection conn = new FakeConnection("a");
        List<Runnable> tasks = new ArrayList<>();
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendText("now");
        assertEquals(List.of("now"), conn.texts, "no executor hop for a text send");
        sender.sendPing(ByteBuffer.allocate(8));
        assertEquals(0, conn.pings.size(), "a ping is a blocking send: never on the caller's thread");
        assertEquals(1, tasks.size());
        tasks.remove(0).run();
        assertEquals(1, conn.pings.size());
    }

    @Test
    void failureIsReportedOnTheExecutorNotTheSendingThread() {
        FakeConnection conn = new FakeConnection("a");
        conn.failSends = true;
        List<Runnable> tasks = new ArrayList<>();
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendText("x");
        assertTrue(sender.hasFailed());
        assertTrue(failures.isEmpty(), "not on the sending thread, which may hold a topic lock");
        tasks.forEach(Runnable::run);
        assertEquals(1, failures.size());
    }

    @Test
    void rejectedExecutionFailsTheSender() {
        FakeConnection conn = new FakeConnection("a");
        PeerSender sender = new PeerSender(conn, r -> {
            throw new java.util.concurrent.RejectedExecutionException("stopped");
        }, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendPing(ByteBuffer.allocate(8));
        assertEquals(1, failures.size(), "reported inline when the executor is gone");
    }

    @Test
    void manyThreadsNeverOverlapSendsAndLoseNothing() throws Exception {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService completer = Executors.newSingleThreadExecutor();
        PeerSender sender = new PeerSender(conn, pool, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        int threads = 4;
        int perThread = 2_000;
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread producer = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    sender.sendText(id + ":" + i);
                }
            });
            producer.start();
            producers.add(producer);
        }
        // complete sends from another thread, as a container would
        var done = completer.submit(() -> {
            int completed = 0;
            while (completed < threads * perThread) {
                if (conn.pendingCount() > 0) {
                    conn.completeNext(null);
                    completed++;
                } else {
                    Thread.onSpinWait();
                }
            }
            return completed;
        });
        for (Thread p : producers) {
            p.join();
        }
        assertEquals(threads * perThread, done.get(20, TimeUnit.SECONDS));
        pool.shutdown();
        completer.shutdown();
        assertEquals(1, conn.maxInFlight, "two sends overlapped");
        assertEquals(threads * perThread, conn.texts.size());
        for (int t = 0; t < threads; t++) { // each producer's frames keep their order
            int id = t;
            List<Integer> seen = List.copyOf(conn.texts).stream().filter(s -> s.startsWith(id + ":"))
                    .map(s -> Integer.parseInt(s.substring(s.indexOf(':') + 1))).toList();
            assertEquals(IntStream.range(0, perThread).boxed().toList(), seen);
        }
        assertTrue(failures.isEmpty());
    }

    @Test
    void writesThroughUntilTheUnprovenTextPassesTheBoundThenSendsAsync() {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, 10, failures::add);
        sender.sendText("aaaa");
        sender.sendText("bbbbbb"); // 10 unproven, this frame included: still within the bound
        assertEquals(2, conn.writtenThrough.get());
        assertEquals(0, conn.pendingCount());
        sender.sendText("c"); // 11: async, held by the fake
        sender.sendText("d");
        assertEquals(List.of("aaaa", "bbbbbb", "c"), conn.texts, "d waits for c's completion");
        assertEquals(1, conn.pendingCount());
        conn.completeNext(null);
        assertEquals(List.of("aaaa", "bbbbbb", "c", "d"), conn.texts);
        assertEquals(2, conn.writtenThrough.get(), "nothing proven yet: d is async too");
        conn.completeNext(null);
        assertEquals(0, sender.queuedBytes());
        assertEquals(1, conn.maxInFlight);
        assertTrue(failures.isEmpty());
    }

    @Test
    void aPongToTheLastPingProvesEverythingBeforeItRead() {
        FakeConnection conn = new FakeConnection("a");
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, 10, failures::add);
        sender.sendText("0123456789");
        sender.sendPing(LivenessMonitor.pingPayload(42));
        sender.sendText("x"); // 11 unproven: async
        assertEquals(1, conn.writtenThrough.get());

        sender.pongReceived(LivenessMonitor.pingPayload(41)); // answers some other ping: proves nothing
        sender.sendText("y");
        assertEquals(1, conn.writtenThrough.get());

        sender.pongReceived(LivenessMonitor.pingPayload(42)); // the 10 before the ping are read
        sender.sendText("z"); // unproven now: x, y, z = 3
        assertEquals(2, conn.writtenThrough.get());
        assertEquals(List.of("0123456789", "x", "y", "z"), conn.texts);
        assertTrue(failures.isEmpty());
    }

    @Test
    void aPingBehindAnUnansweredPingIsSkippedOnlyWhileThePeerIsBehind() {
        FakeConnection conn = new FakeConnection("a");
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, 10, failures::add);
        sender.sendPing(LivenessMonitor.pingPayload(1));
        sender.sendText("abc");
        sender.sendPing(LivenessMonitor.pingPayload(2)); // 1 unanswered, but only 3 unproven: sent
        assertEquals(2, conn.pings.size());

        sender.sendText("0123456789"); // 13 unproven
        sender.sendPing(LivenessMonitor.pingPayload(3)); // 2 unanswered and the peer is behind: skipped
        assertEquals(2, conn.pings.size());
        assertEquals(0, sender.queuedBytes(), "a skipped ping leaves nothing queued");

        sender.pongReceived(LivenessMonitor.pingPayload(2)); // proves "abc"; 10 still unproven, none pending
        sender.sendPing(LivenessMonitor.pingPayload(4));
        assertEquals(3, conn.pings.size(), "with no ping pending the peer must be asked again");

        sender.sendText("x"); // 11 unproven
        sender.sendPing(LivenessMonitor.pingPayload(5));
        assertEquals(3, conn.pings.size(), "4 is pending and the peer is behind");
        sender.pongReceived(LivenessMonitor.pingPayload(4)); // 1 unproven
        sender.sendPing(LivenessMonitor.pingPayload(6));
        assertEquals(List.of(LivenessMonitor.pingPayload(1), LivenessMonitor.pingPayload(2),
                LivenessMonitor.pingPayload(4), LivenessMonitor.pingPayload(6)), conn.pings);
        assertTrue(failures.isEmpty());
    }

    @Test
    void withWriteThroughOffEveryPingIsSent() {
        FakeConnection conn = new FakeConnection("a");
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, ASYNC_ONLY, failures::add);
        sender.sendPing(LivenessMonitor.pingPayload(1));
        sender.sendText("0123456789");
        sender.sendPing(LivenessMonitor.pingPayload(2));
        assertEquals(2, conn.pings.size());
    }

    @Test
    void aFrameLargerThanTheBoundIsNeverWrittenThrough() {
        FakeConnection conn = new FakeConnection("a");
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, 10, failures::add);
        sender.sendText("01234567890");
        assertEquals(0, conn.writtenThrough.get());
        assertEquals(List.of("01234567890"), conn.texts);
    }

    @Test
    void aFailedWriteThroughFailsTheSenderOnce() {
        FakeConnection conn = new FakeConnection("a");
        conn.failSends = true;
        List<Runnable> tasks = new ArrayList<>();
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, 1_000, failures::add);
        sender.sendText("x");
        assertFalse(sender.sendText("y"));
        assertTrue(failures.isEmpty(), "reported on the executor, not the sending thread");
        tasks.forEach(Runnable::run);
        assertEquals(1, failures.size());
        assertInstanceOf(IOException.class, failures.get(0));
        assertEquals(0, sender.queuedBytes());
    }

    @Test
    void manyThreadsWritingThroughNeverOverlap() throws Exception {
        FakeConnection conn = new FakeConnection("a");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        PeerSender sender = new PeerSender(conn, pool, Long.MAX_VALUE, Long.MAX_VALUE, failures::add);
        int threads = 4;
        int perThread = 5_000;
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread producer = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    sender.sendText(id + ":" + i);
                    if (i % 500 == 0) {
                        sender.sendPing(ByteBuffer.allocate(8));
                    }
                }
            });
            producer.start();
            producers.add(producer);
        }
        for (Thread p : producers) {
            p.join();
        }
        Await.until("every frame written", 10_000, () -> conn.texts.size() == threads * perThread);
        pool.shutdown();
        assertEquals(1, conn.maxInFlight, "two sends overlapped");
        assertEquals(threads * perThread, conn.writtenThrough.get());
        assertTrue(failures.isEmpty());
    }

    @Test
    void aQueueThatKeepsRefillingHoldsTheWrittenThroughCallerForOneTurnOnly() {
        assertEveryThreadSendsAtMostOneTurn(Long.MAX_VALUE);
    }

    @Test
    void aQueueThatKeepsRefillingHoldsTheCallerOfInlineCompletingSendsForOneTurnOnly() {
        assertEveryThreadSendsAtMostOneTurn(ASYNC_ONLY);
    }

    /**
     * While each frame is being sent another one arrives (a client flooding heartbeats, each
     * answered with an ack): the thread that found the sender idle hands the rest to the executor
     * after one turn, and every executor task also gives its thread back after one turn.
     */
    private void assertEveryThreadSendsAtMostOneTurn(long writeThroughChars) {
        FakeConnection conn = new FakeConnection("a");
        List<Runnable> tasks = new ArrayList<>();
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, writeThroughChars, failures::add);
        int arrivals = 10_000;
        AtomicInteger next = new AtomicInteger();
        AtomicInteger sentThisTurn = new AtomicInteger();
        conn.duringSend = () -> {
            sentThisTurn.incrementAndGet();
            int n = next.getAndIncrement();
            if (n < arrivals) {
                sender.sendText("ack" + n);
            }
        };
        sender.sendText("push");
        assertTrue(sentThisTurn.get() <= PeerSender.DRAIN_TURN, "the caller sent " + sentThisTurn.get() + " frames");
        int turns = 0;
        while (!tasks.isEmpty()) {
            sentThisTurn.set(0);
            tasks.remove(0).run();
            assertTrue(sentThisTurn.get() <= PeerSender.DRAIN_TURN, "a task sent " + sentThisTurn.get() + " frames");
            turns++;
        }
        assertEquals(arrivals + 1, conn.texts.size(), "every frame sent once the tasks have run");
        assertEquals("push", conn.texts.get(0));
        assertEquals(IntStream.range(0, arrivals).mapToObj(n -> "ack" + n).toList(), conn.texts.subList(1, arrivals + 1));
        assertTrue(turns >= arrivals / PeerSender.DRAIN_TURN, turns + " turns");
        assertEquals(0, sender.queuedBytes());
        assertEquals(1, conn.maxInFlight);
        assertTrue(failures.isEmpty());
    }
}
