package dev.pulse;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

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
    /** Reads of a topic's cluster history a subscribe makes before it gives up on them (gap). */
    private static final int STALE_READS = 3;
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
        cluster.broadcast(data);
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

    /**
     * To the topic's subscribers on every node; returns how many it was queued for on this node —
     * in a cluster that sequences topics, how many subscribers this node has now (the publish
     * reaches them when it comes back from the cluster, in the cluster's order).
     */
    int publish(String topic, JsonValue data) {
        requireTopicName(topic);
        if (cluster.sequencesTopics()) {
            cluster.publish(topic, data);
            return topics.subscriberCount(topic);
        }
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
        Consumer<TopicRegistry.Join> answer = j -> {
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
        };
        TopicRegistry.Join join;
        if (cluster.sequencesTopics()) {
            join = subscribeInCluster(peer, topic, presence, since, answer);
        } else {
            join = topics.subscribe(peer, topic, presence, settings.maxTopicsPerSession(), since, answer);
        }
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

    /**
     * Reads the topic's history from the cluster (only when a resume needs it or this node does
     * not know the topic's epoch yet) and subscribes; reads again while the read is older than
     * what this node has delivered meanwhile, and gives up on the cluster's history after a few.
     */
    private TopicRegistry.Join subscribeInCluster(Peer peer, String topic, boolean presence, TopicRegistry.Since since,
                                                  Consumer<TopicRegistry.Join> answer) {
        Function<ClusterLink.Published, String> frameOf = p -> codec.message(topic, p.data(), p.seq());
        for (int attempt = 0; ; attempt++) {
            ClusterLink.History stored = ClusterLink.History.UNREAD;
            if (attempt < STALE_READS && (since != null || !topics.knowsClusterView(topic))) {
                stored = cluster.history(topic, since == null ? -1 : since.seq());
            }
            TopicRegistry.Join join = topics.subscribe(peer, topic, presence, settings.maxTopicsPerSession(), since,
                    new TopicRegistry.FromCluster(stored, frameOf, clusterGap(topic)), answer);
            if (join.result() != TopicRegistry.Subscribed.STALE) {
                return join;
            }
        }
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
    public void remoteBroadcast(JsonValue data) {
        broadcastLocally(data);
    }

    @Override
    public boolean sequenced(String topic, String epoch, long seq, JsonValue data) {
        return topics.deliver(topic, epoch, seq, data == null ? null : codec.message(topic, data, seq), clusterGap(topic))
                || data == null;
    }

    @Override
    public void unsequenced(String topic, JsonValue data) {
        topics.publishDetached(topic, seq -> codec.message(topic, data, seq), clusterGap(topic));
    }

    private BiFunction<String, Long, String> clusterGap(String topic) {
        return (epoch, seq) -> codec.gap(topic, epoch, seq, Protocol.GAP_CLUSTER);
    }

    @Override
    public void remotePresence(String topic, String event, Member member) {
        notifyPresence(topic, event, member, null);
    }

    private static void requireTopicName(String topic) {
        if (topic == null || !Protocol.TOPIC_NAME.matcher(topic).matches()) {
            throw new IllegalArgumentException(Protocol.TOPIC_RULE + ": " + topic);
        }
    }
}
