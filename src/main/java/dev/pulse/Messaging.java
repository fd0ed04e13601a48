package dev.pulse;

import jakarta.json.JsonValue;
import java.util.List;

/**
 * Application messages: broadcasts, topic publishes, messages to one session, subscriptions and
 * the presence events that go with them. Thread-safe.
 */
final class Messaging {

    private final SessionRegistry registry;
    private final TopicRegistry topics;
    private final MessageCodec codec;
    private final PulseSettings settings;
    /** Guarded by itself: broadcasts are serialised so every session sees seq in order. */
    private final long[] broadcastSeq = new long[1];

    Messaging(SessionRegistry registry, TopicRegistry topics, MessageCodec codec, PulseSettings settings) {
        this.registry = registry;
        this.topics = topics;
        this.codec = codec;
        this.settings = settings;
    }

    /** To every open session, with the server-wide broadcast seq; returns how many it was queued for. */
    int broadcast(JsonValue data) {
        synchronized (broadcastSeq) {
            String frame = codec.message(null, data, ++broadcastSeq[0]);
            int n = 0;
            for (Peer peer : registry.peers()) {
                if (peer.sender().sendText(frame)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** To the topic's subscribers, with the topic's seq; returns how many it was queued for. */
    int publish(String topic, JsonValue data) {
        requireTopicName(topic);
        return topics.publish(topic, seq -> codec.message(topic, data, seq));
    }

    /** To one session; false if no such session is open. */
    boolean send(String sessionId, JsonValue data) {
        Peer peer = registry.get(sessionId);
        return peer != null && peer.sender().sendText(codec.message(null, data, 0));
    }

    /**
     * Subscribes and answers: for a resuming client ({@code since} not null) either the missed
     * messages after {@code subscribed}, or a {@code gap} notice first; then live messages.
     * False, with nothing sent, past maxTopicsPerSession.
     */
    boolean subscribe(Peer peer, String topic, boolean presence, TopicRegistry.Since since) {
        TopicRegistry.Join join = topics.subscribe(peer, topic, presence, settings.maxTopicsPerSession(), since, j -> {
            if (j.gap() != null) {
                peer.sender().sendText(codec.gap(topic, j.epoch(), j.seq(), j.gap()));
            }
            peer.sender().sendText(codec.subscribed(topic, j.epoch(), j.seq(),
                    since != null && j.gap() == null ? j.replay().size() : -1, j.members()));
            j.replay().forEach(peer.sender()::sendText);
        });
        TopicRegistry.Subscribed result = join.result();
        if (result == TopicRegistry.Subscribed.LIMIT_REACHED) {
            return false;
        }
        if (result == TopicRegistry.Subscribed.ADDED) {
            notifyPresence(topic, Protocol.PRESENCE_JOIN, peer);
        }
        return true;
    }

    void unsubscribe(Peer peer, String topic) {
        boolean was = topics.unsubscribe(peer, topic);
        peer.sender().sendText(codec.unsubscribed(topic));
        if (was) {
            notifyPresence(topic, Protocol.PRESENCE_LEAVE, peer);
        }
    }

    /** Leaves every topic of a session that has ended, telling the watchers. */
    void sessionEnded(Peer peer) {
        for (String topic : List.copyOf(peer.topics())) {
            if (topics.unsubscribe(peer, topic)) {
                notifyPresence(topic, Protocol.PRESENCE_LEAVE, peer);
            }
        }
    }

    List<Peer> members(String topic) {
        requireTopicName(topic);
        return topics.subscribers(topic);
    }

    private void notifyPresence(String topic, String event, Peer member) {
        List<Peer> watchers = topics.presenceWatchers(topic);
        if (watchers.isEmpty()) {
            return;
        }
        String frame = codec.presence(topic, event, member);
        for (Peer watcher : watchers) {
            if (watcher != member) {
                watcher.sender().sendText(frame);
            }
        }
    }

    private static void requireTopicName(String topic) {
        if (topic == null || !Protocol.TOPIC_NAME.matcher(topic).matches()) {
            throw new IllegalArgumentException(Protocol.TOPIC_RULE + ": " + topic);
        }
    }
}
