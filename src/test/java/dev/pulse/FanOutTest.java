package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FanOutTest {

    private static List<Peer> peers(int n) {
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FakeConnection c = new FakeConnection("p" + i);
            peers.add(new Peer(c, new PeerSender(c, Runnable::run, Long.MAX_VALUE, 0, e -> { }), 0, null, null,
                    new InboundGuard(100, 1, 1, 0), i));
        }
        return peers;
    }

    @Test
    void visitsEveryPeerOnceAcrossThreadsAndReturnsOnlyWhenDone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Peer> peers = peers(5_000);
            Set<String> visited = ConcurrentHashMap.newKeySet();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            new FanOut(pool, 3).forEach(peers, p -> {
                assertTrue(visited.add(p.id()), "visited twice: " + p.id());
                threads.add(Thread.currentThread().getName());
            });
            assertEquals(5_000, visited.size(), "all visited before forEach returned");
            assertTrue(threads.contains(Thread.currentThread().getName()), "the caller takes a part");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void neverWaitsOnAnExecutorThatDoesNotRun() {
        List<Runnable> neverRun = new ArrayList<>();
        List<Peer> peers = peers(4_000);
        Set<String> visited = ConcurrentHashMap.newKeySet();
        new FanOut(neverRun::add, 4).forEach(peers, p -> visited.add(p.id()));
        assertEquals(4_000, visited.size(), "the caller ran the unclaimed parts itself");
        assertEquals(3, neverRun.size());
        neverRun.forEach(Runnable::run); // late starts find their part claimed and do nothing
        assertEquals(4_000, visited.size());
    }

    @Test
    void smallFanOutsStayOnTheCaller() {
        List<Runnable> tasks = new ArrayList<>();
        new FanOut(tasks::add, 4).forEach(peers(999), p -> { });
        assertTrue(tasks.isEmpty());
    }
}
