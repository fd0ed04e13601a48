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
import java.util.function.Function;
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
 * <p>In a cluster ({@link ClusterLink#sequencesTopics()}) the epoch and seq of a topic are the
 * cluster's, and its history lives in Redis: publishes come back through {@link #deliver} in the
 * cluster's order, and a subscribe merges what the cluster held just before it
 * ({@link ClusterLink.History}) with what this node has delivered since. While the cluster is out
 * of reach, {@link #publishDetached} delivers here alone under an epoch of this node's.
 *
 * <p>Locking: each topic's state is guarded by the topic itself; publishes, subscribes (with
 * their replay) and unsubscribes of one topic are serialised, so every subscriber sees seq in
 * order and a replay always comes before the live messages that follow it.
 */
public final class TopicRegistry {

    /**
     * Outcome of {@link #subscribe}. STALE: the cluster history read before the subscribe is older
     * than what this node has delivered since; nothing was done, read again.
     */
    enum Subscribed { ADDED, ALREADY, LIMIT_REACHED, STALE }

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
        String epoch = newEpoch(); // guarded by this
        /** True while epoch and seq are the cluster's (as delivered or read), false when this node's own. */
        boolean clusterView; // guarded by this
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
        return subscribe(peer, name, presence, maxTopicsPerSession, since, null, answer);
    }

    /**
     * What a subscribe in a cluster read just before it: the topic as the cluster held it
     * ({@link ClusterLink.History#UNREAD} if it was not read or could not be), how to build the
     * frame of a stored publish, and the {@code gap} frame for subscribers whose view changes.
     */
    record FromCluster(ClusterLink.History stored, Function<ClusterLink.Published, String> frameOf,
                       BiFunction<String, Long, String> gapFrame) {
    }

    /**
     * {@link #subscribe(Peer, String, boolean, int, Since, Consumer)} in a cluster. When the read
     * shows the cluster's epoch is not the one this node holds (Redis lost the topic, or this node
     * delivered alone), the node takes the cluster's view and tells its subscribers with a gap.
     * Returns STALE, having done nothing, when the read is behind what this node delivered.
     */
    Join subscribe(Peer peer, String name, boolean presence, int maxTopicsPerSession, Since since,
                   FromCluster cluster, Consumer<Join> answer) {
        if (!peer.topics().contains(name) && peer.topics().size() >= maxTopicsPerSession) {
            return new Join(Subscribed.LIMIT_REACHED, null, 0, List.of(), null, List.of());
        }
        while (true) {
            Topic t = topics.computeIfAbsent(name, n -> new Topic(n, clock.millis()));
            synchronized (t) {
                if (t.removed) {
                    continue; // expired between lookup and lock: take the new one
                }
                Replay replay;
                if (cluster == null) {
                    replay = fromHistory(t, since);
                } else {
                    ClusterLink.History stored = cluster.stored();
                    if (stored.epoch() != null && (!t.clusterView || !stored.epoch().equals(t.epoch))) {
                        t.epoch = stored.epoch();
                        t.seq = stored.seq();
                        t.clusterView = true;
                        sendToSubscribers(t, cluster.gapFrame().apply(t.epoch, t.seq));
                    }
                    replay = fromCluster(t, since, stored, cluster.frameOf());
                    if (replay == null) {
                        return new Join(Subscribed.STALE, null, 0, List.of(), null, List.of());
                    }
                }
                Subscribed result = t.subscribers.add(peer) ? Subscribed.ADDED : Subscribed.ALREADY;
                if (presence) {
                    t.presenceWatchers.add(peer);
                } else {
                    t.presenceWatchers.remove(peer);
                }
                peer.topics().add(name);
                t.lastActivity = clock.millis();
                Join join = new Join(result, t.epoch, t.seq, replay.frames(), replay.gap(),
                        presence ? new ArrayList<>(t.subscribers) : null);
                answer.accept(join);
                return join;
            }
        }
    }

    /** The frames a resuming client missed, or why it cannot have them ({@code gap}). */
    private record Replay(List<String> frames, String gap) {
        static final Replay NONE = new Replay(List.of(), null);

        static Replay gap(String reason) {
            return new Replay(List.of(), reason);
        }
    }

    /** Caller holds the topic lock. */
    private static Replay fromHistory(Topic t, Since since) {
        if (since == null || (since.epoch().equals(t.epoch) && since.seq() == t.seq)) {
            return Replay.NONE;
        }
        if (!t.epoch.equals(since.epoch())) {
            return Replay.gap(Protocol.GAP_EPOCH);
        }
        if (since.seq() > t.seq) {
            return Replay.gap(Protocol.GAP_HISTORY); // the client claims more than this topic ever had
        }
        Entry oldest = t.history.peekFirst();
        if (oldest == null || oldest.seq > since.seq() + 1) {
            return Replay.gap(Protocol.GAP_HISTORY);
        }
        List<String> frames = new ArrayList<>();
        for (Entry e : t.history) {
            if (e.seq > since.seq()) {
                frames.add(e.frame);
            }
        }
        return new Replay(frames, null);
    }

    /**
     * What a resuming client missed, from the cluster's history: the stored publishes after its
     * seq up to what this node has delivered (later ones are on their way here and come live).
     * Null when {@code stored} is older than this node's view. Caller holds the topic lock and has
     * taken a readable {@code stored}'s epoch.
     */
    private static Replay fromCluster(Topic t, Since since, ClusterLink.History stored,
                                      Function<ClusterLink.Published, String> frameOf) {
        if (since == null) {
            return Replay.NONE;
        }
        if (stored.epoch() == null || !t.clusterView) {
            return Replay.gap(Protocol.GAP_CLUSTER); // the cluster's history is out of reach
        }
        if (!t.epoch.equals(since.epoch())) {
            return Replay.gap(Protocol.GAP_EPOCH);
        }
        if (since.seq() >= t.seq) {
            // the client saw at least what this node delivered; more than the cluster ever had is a lie
            return since.seq() > stored.seq() ? Replay.gap(Protocol.GAP_HISTORY) : Replay.NONE;
        }
        if (stored.seq() < t.seq) {
            return null;
        }
        List<String> frames = new ArrayList<>();
        long expected = since.seq() + 1;
        for (ClusterLink.Published p : stored.after()) {
            if (p.seq() > t.seq) {
                break;
            }
            if (p.seq() != expected) {
                return Replay.gap(Protocol.GAP_HISTORY); // trimmed, expired or lost in between
            }
            frames.add(frameOf.apply(p));
            expected++;
        }
        return expected == t.seq + 1 ? new Replay(frames, null) : Replay.gap(Protocol.GAP_HISTORY);
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
        int n = locked(name, 0, t -> {
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
            return sendToSubscribers(t, frame);
        });
        enforceByteBound();
        return n;
    }

    /**
     * Delivers a publish the cluster sequenced ({@code frame} null: the publish with this seq was
     * lost). A subscriber is told {@code gap} (reason {@code cluster}) before it when the seq does
     * not follow on from what this node delivered, or the epoch changed; duplicates are dropped.
     * Returns true when it told of a gap because publishes before this one never arrived here.
     */
    boolean deliver(String name, String epoch, long seq, String frame, BiFunction<String, Long, String> gapFrame) {
        return locked(name, false, t -> {
            boolean sameEpoch = t.clusterView && epoch.equals(t.epoch);
            if (sameEpoch && seq <= t.seq) {
                return false; // delivered already
            }
            boolean follows = sameEpoch && seq == t.seq + 1;
            t.epoch = epoch;
            t.clusterView = true;
            t.lastActivity = clock.millis();
            if (frame == null || !follows) {
                t.seq = frame == null ? seq : seq - 1;
                sendToSubscribers(t, gapFrame.apply(epoch, t.seq));
            }
            if (frame != null) {
                t.seq = seq;
                sendToSubscribers(t, frame);
            }
            return sameEpoch && !follows && frame != null;
        });
    }

    /**
     * Delivers a publish on this node alone while the cluster cannot sequence it. The first one
     * moves the topic to an epoch of this node's, announced with {@code gap} (reason
     * {@code cluster}), so that no client mixes this node's seq with the cluster's. Keeps no history.
     */
    int publishDetached(String name, LongFunction<String> frameForSeq, BiFunction<String, Long, String> gapFrame) {
        return locked(name, 0, t -> {
            if (t.clusterView) {
                t.epoch = newEpoch();
                t.seq = 0;
                t.clusterView = false;
                sendToSubscribers(t, gapFrame.apply(t.epoch, 0L));
            }
            t.lastActivity = clock.millis();
            return sendToSubscribers(t, frameForSeq.apply(++t.seq));
        });
    }

    /** Runs {@code action} on the topic with its lock held; {@code absent} when there is no such topic (or it just expired). */
    private <T> T locked(String name, T absent, Function<Topic, T> action) {
        Topic t = topics.get(name);
        if (t == null) {
            return absent;
        }
        synchronized (t) {
            return t.removed ? absent : action.apply(t);
        }
    }

    /** Caller holds the topic lock. */
    private static int sendToSubscribers(Topic t, String frame) {
        int n = 0;
        for (Peer peer : t.subscribers) {
            if (peer.sender().sendText(frame)) {
                n++;
            }
        }
        return n;
    }

    /** A fresh random epoch: 16 hex digits. */
    static String newEpoch() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** True when this node holds the topic with the cluster's epoch and seq. */
    boolean knowsClusterView(String name) {
        Topic t = topics.get(name);
        if (t == null) {
            return false;
        }
        synchronized (t) {
            return t.clusterView && !t.removed;
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

    /** How many subscribers the topic has. */
    int subscriberCount(String name) {
        Topic t = topics.get(name);
        return t == null ? 0 : t.subscribers.size();
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
