package dev.pulse;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Application messages: broadcasts, topic publishes, messages to one session, subscriptions and
 * the presence events that go with them, on this node and, through the {@link ClusterLink}, on
 * the others. Thread-safe.
 */
final class Messaging implements ClusterLink.Inbound {

    private final SessionRegistry registry;
    private final TopicRegistry topics;
    private final MessageCodec codec;
    private final PulseSettings settings;
    private volatile ClusterLink cluster;
    /** Guarded by itself: broadcasts are serialised so every session sees seq in order. */
    private final long[] broadcastSeq = new long[1];

    Messaging(SessionRegistry registry, TopicRegistry topics, MessageCodec codec, PulseSettings settings) {
        this.registry = registry;
        this.topics = topics;
        this.codec = codec;
        this.settings = settings;
        this.cluster = ClusterLink.single("local");
    }

    /** Set once by the runtime, before any session opens. */
    void cluster(ClusterLink link) {
        this.cluster = link;
    }

    ClusterLink cluster() {
        return cluster;
    }

    /** To every open session of every node; returns how many it was queued for on this node. */
    int broadcast(JsonValue data) {
        cluster.publish(null, data);
        return broadcastLocally(data);
    }

    private int broadcastLocally(JsonValue data) {
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

    /** To the topic's subscribers on every node; returns how many it was queued for on this node. */
    int publish(String topic, JsonValue data) {
        requireTopicName(topic);
        cluster.publish(topic, data);
        return publishLocally(topic, data);
    }

    private int publishLocally(String topic, JsonValue data) {
        return topics.publish(topic, seq -> codec.message(topic, data, seq));
    }

    /** To one session of this node; false if no such session is open here. */
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
        List<Member> remote = presence ? cluster.remoteMembers(topic) : List.of();
        TopicRegistry.Join join = topics.subscribe(peer, topic, presence, settings.maxTopicsPerSession(), since, j -> {
            if (j.gap() != null) {
                peer.sender().sendText(codec.gap(topic, j.epoch(), j.seq(), j.gap()));
            }
            List<Member> members = null;
            if (j.members() != null) {
                List<Member> all = new ArrayList<>(remote);
                j.members().forEach(p -> all.add(member(p)));
                members = all;
            }
            peer.sender().sendText(codec.subscribed(topic, j.epoch(), j.seq(),
                    since != null && j.gap() == null ? j.replay().size() : -1, members));
            j.replay().forEach(peer.sender()::sendText);
        });
        TopicRegistry.Subscribed result = join.result();
        if (result == TopicRegistry.Subscribed.LIMIT_REACHED) {
            return false;
        }
        if (result == TopicRegistry.Subscribed.ADDED) {
            notifyPresence(topic, Protocol.PRESENCE_JOIN, member(peer), peer);
            cluster.presence(topic, Protocol.PRESENCE_JOIN, member(peer));
        }
        return true;
    }

    void unsubscribe(Peer peer, String topic) {
        boolean was = topics.unsubscribe(peer, topic);
        peer.sender().sendText(codec.unsubscribed(topic));
        if (was) {
            left(peer, topic);
        }
    }

    /** Leaves every topic of a session that has ended, telling the watchers. */
    void sessionEnded(Peer peer) {
        for (String topic : List.copyOf(peer.topics())) {
            if (topics.unsubscribe(peer, topic)) {
                left(peer, topic);
            }
        }
    }

    private void left(Peer peer, String topic) {
        notifyPresence(topic, Protocol.PRESENCE_LEAVE, member(peer), peer);
        cluster.presence(topic, Protocol.PRESENCE_LEAVE, member(peer));
    }

    /** This node's subscribers of the topic. */
    List<Peer> members(String topic) {
        requireTopicName(topic);
        return topics.subscribers(topic);
    }

    /** The topic's members on every node: this node's, then the others' as the cluster knows them. */
    List<Member> clusterMembers(String topic) {
        List<Member> all = new ArrayList<>();
        members(topic).forEach(p -> all.add(member(p)));
        all.addAll(cluster.remoteMembers(topic));
        return all;
    }

    Member member(Peer peer) {
        return new Member(peer.id(), peer.user(), cluster.nodeId());
    }

    private void notifyPresence(String topic, String event, Member member, Peer self) {
        List<Peer> watchers = topics.presenceWatchers(topic);
        if (watchers.isEmpty()) {
            return;
        }
        String frame = codec.presence(topic, event, member);
        for (Peer watcher : watchers) {
            if (watcher != self) {
                watcher.sender().sendText(frame);
            }
        }
    }

    @Override
    public void remotePublish(String topic, JsonValue data) {
        if (topic == null) {
            broadcastLocally(data);
        } else {
            publishLocally(topic, data);
        }
    }

    @Override
    public void remotePresence(String topic, String event, Member member) {
        notifyPresence(topic, event, member, null);
    }

    @Override
    public void remoteGap(String topic) {
        if (topic != null) {
            topics.announce(topic, (epoch, seq) -> codec.gap(topic, epoch, seq, "cluster"));
        }
    }

    private static void requireTopicName(String topic) {
        if (topic == null || !Protocol.TOPIC_NAME.matcher(topic).matches()) {
            throw new IllegalArgumentException(Protocol.TOPIC_RULE + ": " + topic);
        }
    }
}
