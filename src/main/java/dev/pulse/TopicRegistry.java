package dev.pulse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongFunction;

/**
 * The one owner of topic membership: which peers are subscribed to which topic, which of them
 * asked for presence events, and each topic's message sequence. A topic exists while it has
 * subscribers. Thread-safe.
 */
public final class TopicRegistry {

    /** Outcome of {@link #subscribe}. */
    enum Subscribed { ADDED, ALREADY, LIMIT_REACHED }

    private static final class Topic {
        final Set<Peer> subscribers = ConcurrentHashMap.newKeySet();
        final Set<Peer> presenceWatchers = ConcurrentHashMap.newKeySet();
        /** Guarded by this topic: publishes are serialised so every subscriber sees seq in order. */
        long seq;
    }

    private final ConcurrentMap<String, Topic> topics = new ConcurrentHashMap<>();

    Subscribed subscribe(Peer peer, String name, boolean presence, int maxTopicsPerSession) {
        if (!peer.topics().contains(name) && peer.topics().size() >= maxTopicsPerSession) {
            return Subscribed.LIMIT_REACHED;
        }
        Subscribed[] result = new Subscribed[1];
        topics.compute(name, (k, topic) -> {
            Topic t = topic == null ? new Topic() : topic;
            result[0] = t.subscribers.add(peer) ? Subscribed.ADDED : Subscribed.ALREADY;
            if (presence) {
                t.presenceWatchers.add(peer);
            } else {
                t.presenceWatchers.remove(peer);
            }
            peer.topics().add(name);
            return t;
        });
        return result[0];
    }

    /** True if the peer was subscribed. */
    boolean unsubscribe(Peer peer, String name) {
        boolean[] removed = new boolean[1];
        topics.computeIfPresent(name, (k, t) -> {
            removed[0] = t.subscribers.remove(peer);
            t.presenceWatchers.remove(peer);
            peer.topics().remove(name);
            return t.subscribers.isEmpty() ? null : t;
        });
        return removed[0];
    }

    /**
     * Sends one frame to every subscriber of the topic, built from the topic's next seq, and
     * returns how many subscribers it was queued for (0 when the topic has none).
     */
    int publish(String name, LongFunction<String> frameForSeq) {
        Topic t = topics.get(name);
        if (t == null) {
            return 0;
        }
        synchronized (t) {
            String frame = frameForSeq.apply(++t.seq);
            int n = 0;
            for (Peer peer : t.subscribers) {
                if (peer.sender().sendText(frame)) {
                    n++;
                }
            }
            return n;
        }
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
        return Set.copyOf(topics.keySet());
    }
}
