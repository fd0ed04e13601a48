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

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Test
    void sendsInOrderOneAtATime() {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, failures::add);
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
        }, Long.MAX_VALUE, failures::add);
        // the first send schedules a drain that, completing inline, loops through the whole queue
        IntStream.range(0, 100_000).forEach(i -> sender.sendText("m" + i));
        assertEquals(100_000, conn.texts.size());
    }

    @Test
    void firstFailureIsReportedOnceAndLaterFramesAreDiscarded() {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, failures::add);
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
        PeerSender sender = new PeerSender(conn, Runnable::run, Long.MAX_VALUE, failures::add);
        sender.sendPing(ByteBuffer.allocate(8));
        assertEquals(1, failures.size());
        assertTrue(sender.hasFailed());
    }

    @Test
    void textFromAnIdleSenderGoesOutOnTheCallingThreadAndPingsViaTheExecutor() {
        FakeConnection conn = new FakeConnection("a");
        List<Runnable> tasks = new ArrayList<>();
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, failures::add);
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
        PeerSender sender = new PeerSender(conn, tasks::add, Long.MAX_VALUE, failures::add);
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
        }, Long.MAX_VALUE, failures::add);
        sender.sendPing(ByteBuffer.allocate(8));
        assertEquals(1, failures.size(), "reported inline when the executor is gone");
    }

    @Test
    void manyThreadsNeverOverlapSendsAndLoseNothing() throws Exception {
        FakeConnection conn = new FakeConnection("a").holdCompletions();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService completer = Executors.newSingleThreadExecutor();
        PeerSender sender = new PeerSender(conn, pool, Long.MAX_VALUE, failures::add);
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
}
