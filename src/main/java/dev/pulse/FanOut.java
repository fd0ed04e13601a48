package dev.pulse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs one action for every peer, spread over the executor's threads and the calling thread, and
 * returns only when every peer has been visited — so a caller that serialises its calls (the time
 * push) keeps its frames in order per peer. Parts nobody has started yet are run by the caller
 * itself, so it never waits on an executor that is busy or has a single thread.
 */
final class FanOut {

    /** Below this many peers a fan-out is not worth splitting. */
    static final int MIN_PART = 1_000;

    private final Executor executor;
    private final int parallelism;

    FanOut(Executor executor, int parallelism) {
        this.executor = executor;
        this.parallelism = Math.max(1, parallelism);
    }

    void forEach(Collection<Peer> peers, Consumer<Peer> action) {
        int parts = Math.min(parallelism, Math.max(1, peers.size() / MIN_PART));
        if (parts == 1) {
            peers.forEach(action);
            return;
        }
        List<Peer> all = new ArrayList<>(peers);
        List<Part> others = new ArrayList<>();
        int size = (all.size() + parts - 1) / parts;
        for (int i = 1; i < parts; i++) {
            Part part = new Part(all.subList(i * size, Math.min(all.size(), (i + 1) * size)), action);
            others.add(part);
            try {
                executor.execute(part::runIfUnclaimed);
            } catch (RejectedExecutionException e) {
                // shutting down: the caller runs it below
            }
        }
        all.subList(0, Math.min(all.size(), size)).forEach(action);
        for (Part part : others) {
            part.runIfUnclaimed();
        }
        for (Part part : others) {
            part.awaitDone();
        }
    }

    private static final class Part {
        private final List<Peer> peers;
        private final Consumer<Peer> action;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);

        Part(List<Peer> peers, Consumer<Peer> action) {
            this.peers = peers;
            this.action = action;
        }

        void runIfUnclaimed() {
            if (claimed.compareAndSet(false, true)) {
                try {
                    peers.forEach(action);
                } finally {
                    done.countDown();
                }
            }
        }

        void awaitDone() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // finish the fan-out, then keep the interrupt
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
