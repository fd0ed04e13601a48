package dev.pulse;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * The one owner of topics: who is subscribed, who asked for presence events, each topic's epoch
 * and message sequence, and its recent history for clients that resume after a reconnect.
 *
 * <p>History is bounded three ways: {@code historySize} messages per topic, {@code historyTtl}
 * of age, and {@code historyMaxBytes} over all topics (oldest first across topics). A topic lives
 * while it has subscribers or history, and {@code historyTtl} past its last activity; its epoch is
 * new each time it is created, so a client holding an old epoch knows its sequence numbers no
 * longer apply.
 *
 * <p>Locking: each topic's state is guarded by the topic itself; publishes, subscribes (with
 * their replay) and unsubscribes of one topic are serialised, so every subscriber sees seq in
 * order and a replay always comes before the live messages that follow it.
 */
public final class TopicRegistry {

    /** Outcome of {@link #subscribe}. */
    enum Subscribed { ADDED, ALREADY, LIMIT_REACHED }

    /** Where a resuming client left off: the epoch and the last seq it saw. */
    record Since(String epoch, long seq) {
    }

    /**
     * What a subscribe found, handed to the caller while the topic is locked so the answer frames
     * go out before any later publish. {@code replay} holds the missed frames in order when the
     * client resumed within the history; {@code gap} says why it could not ({@code epoch} or
     * {@code history}), null otherwise.
     */
    record Join(Subscribed result, String epoch, long seq, List<String> replay, String gap, List<Peer> members) {
    }

    private static final class Entry {
        final Topic topic;
        final long seq;
        final long at;
        final int bytes;
        volatile String frame; // null once evicted
        Entry(Topic topic, long seq, long at, String frame) {
            this.topic = topic;
            this.seq = seq;
            this.at = at;
            this.frame = frame;
            this.bytes = frame.length();
        }
    }

    private static final class Topic {
        final String name;
        final String epoch = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        final Set<Peer> subscribers = ConcurrentHashMap.newKeySet();
        final Set<Peer> presenceWatchers = ConcurrentHashMap.newKeySet();
        final Deque<Entry> history = new ArrayDeque<>(); // guarded by this
        long seq; // guarded by this
        long lastActivity; // guarded by this
        boolean removed; // guarded by this

        Topic(String name, long now) {
            this.name = name;
            this.lastActivity = now;
        }
    }

    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();
    /** Every history entry in publish order, for the byte bound across topics. */
    private final ConcurrentLinkedQueue<Entry> allHistory = new ConcurrentLinkedQueue<>();
    private final AtomicLong historyBytes = new AtomicLong();
    private final int historySize;
    private final long historyTtl;
    private final long historyMaxBytes;
    private final Clock clock;

    TopicRegistry(PulseSettings settings, Clock clock) {
        this.historySize = (int) settings.get(Setting.HISTORY_SIZE);
        this.historyTtl = settings.get(Setting.HISTORY_TTL);
        this.historyMaxBytes = settings.get(Setting.HISTORY_MAX_BYTES);
        this.clock = clock;
    }

    /**
     * Subscribes the peer and, with the topic locked, hands {@code answer} what the client must be
     * told: the topic's epoch and seq, and for a resuming client the frames it missed or why they
     * are gone.
     */
    Join subscribe(Peer peer, String name, boolean presence, int maxTopicsPerSession, Since since, Consumer<Join> answer) {
        if (!peer.topics().contains(name) && peer.topics().size() >= maxTopicsPerSession) {
            return new Join(Subscribed.LIMIT_REACHED, null, 0, List.of(), null, List.of());
        }
        while (true) {
            Topic t = topics.computeIfAbsent(name, n -> new Topic(n, clock.millis()));
            synchronized (t) {
                if (t.removed) {
                    continue; // expired between lookup and lock: take the new one
                }
                Subscribed result = t.subscribers.add(peer) ? Subscribed.ADDED : Subscribed.ALREADY;
                if (presence) {
                    t.presenceWatchers.add(peer);
                } else {
                    t.presenceWatchers.remove(peer);
                }
                peer.topics().add(name);
                t.lastActivity = clock.millis();
                List<String> replay = List.of();
                String gap = null;
                if (since != null) {
                    if (!t.epoch.equals(since.epoch())) {
                        gap = "epoch";
                    } else if (since.seq() > t.seq) {
                        gap = "history"; // the client claims more than this topic ever had
                    } else if (since.seq() < t.seq) {
                        Entry oldest = t.history.peekFirst();
                        if (oldest == null || oldest.seq > since.seq() + 1) {
                            gap = "history";
                        } else {
                            replay = new ArrayList<>();
                            for (Entry e : t.history) {
                                if (e.seq > since.seq()) {
                                    replay.add(e.frame);
                                }
                            }
                        }
                    }
                }
                Join join = new Join(result, t.epoch, t.seq, replay, gap,
                        presence ? new ArrayList<>(t.subscribers) : null);
                answer.accept(join);
                return join;
            }
        }
    }

    /** True if the peer was subscribed. The topic and its history stay for resuming clients. */
    boolean unsubscribe(Peer peer, String name) {
        Topic t = topics.get(name);
        if (t == null) {
            return false;
        }
        synchronized (t) {
            t.presenceWatchers.remove(peer);
            peer.topics().remove(name);
            t.lastActivity = clock.millis();
            return t.subscribers.remove(peer);
        }
    }

    /**
     * Sends one frame to every subscriber of the topic, built from the topic's next seq, keeps it
     * in the history, and returns how many subscribers it was queued for. A topic nobody ever
     * subscribed to (or that expired) keeps nothing: 0.
     */
    int publish(String name, LongFunction<String> frameForSeq) {
        Topic t = topics.get(name);
        if (t == null) {
            return 0;
        }
        int n = 0;
        synchronized (t) {
            if (t.removed) {
                return 0;
            }
            long now = clock.millis();
            String frame = frameForSeq.apply(++t.seq);
            t.lastActivity = now;
            if (historySize > 0) {
                Entry entry = new Entry(t, t.seq, now, frame);
                t.history.addLast(entry);
                allHistory.add(entry);
                historyBytes.addAndGet(entry.bytes);
                while (t.history.size() > historySize) {
                    evict(t.history.removeFirst());
                }
            }
            for (Peer peer : t.subscribers) {
                if (peer.sender().sendText(frame)) {
                    n++;
                }
            }
        }
        enforceByteBound();
        return n;
    }

    /** Sends a frame built from the topic's epoch and seq to its subscribers, in order with publishes. */
    void announce(String name, BiFunction<String, Long, String> frame) {
        Topic t = topics.get(name);
        if (t == null) {
            return;
        }
        synchronized (t) {
            String text = frame.apply(t.epoch, t.seq);
            t.subscribers.forEach(p -> p.sender().sendText(text));
        }
    }

    /** Evicts the oldest history across all topics until the total is within historyMaxBytes. */
    private void enforceByteBound() {
        while (historyBytes.get() > historyMaxBytes) {
            Entry oldest = allHistory.poll();
            if (oldest == null) {
                return;
            }
            synchronized (oldest.topic) {
                if (oldest.frame != null && oldest.topic.history.peekFirst() == oldest) {
                    evict(oldest.topic.history.removeFirst());
                }
            }
        }
    }

    /** Caller holds the entry's topic lock. */
    private void evict(Entry entry) {
        if (entry.frame != null) {
            entry.frame = null;
            historyBytes.addAndGet(-entry.bytes);
        }
    }

    /**
     * Drops history older than historyTtl, and topics with no subscribers and no history that saw
     * no activity for historyTtl. Called periodically by the runtime; never throws.
     */
    void expire() {
        long now = clock.millis();
        long horizon = now - historyTtl;
        for (Topic t : topics.values()) {
            synchronized (t) {
                while (!t.history.isEmpty() && t.history.peekFirst().at < horizon) {
                    evict(t.history.removeFirst());
                }
                if (t.subscribers.isEmpty() && t.history.isEmpty() && t.lastActivity < horizon) {
                    t.removed = true;
                    topics.remove(t.name, t);
                }
            }
        }
        allHistory.removeIf(e -> e.frame == null);
    }

    /** Subscribers of the topic, in no particular order. */
    List<Peer> subscribers(String name) {
        Topic t = topics.get(name);
        return t == null ? List.of() : new ArrayList<>(t.subscribers);
    }

    /** Subscribers of the topic that asked for presence events. */
    List<Peer> presenceWatchers(String name) {
        Topic t = topics.get(name);
        return t == null ? List.of() : new ArrayList<>(t.presenceWatchers);
    }

    /** Names of the topics that have subscribers. */
    Set<String> names() {
        return topics.values().stream().filter(t -> !t.subscribers.isEmpty()).map(t -> t.name).collect(Collectors.toSet());
    }

    /** Bytes (characters) of history held over all topics. */
    long historyBytes() {
        return historyBytes.get();
    }
}
