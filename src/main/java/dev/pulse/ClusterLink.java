package dev.pulse;

import jakarta.json.JsonValue;
import java.util.List;

/**
 * What Pulse needs of the other nodes: topic publishes and presence changes go out, the other
 * nodes' members and session counts come back. {@link #single} is the link of a node alone; with
 * {@code pulse.redisUri} set it is {@link RedisClusterLink}. Every method returns at once: sends
 * are queued, reads come from the last heartbeat or a bounded call.
 */
interface ClusterLink extends AutoCloseable {

    /** What the link hands to this node. Called on the link's own threads. */
    interface Inbound {
        /** A topic publish made on another node. */
        void remotePublish(String topic, JsonValue data);

        /** A member joined or left a topic on another node. */
        void remotePresence(String topic, String event, Member member);

        /** Publishes from another node to this topic were lost (Redis pub/sub is at-most-once). */
        void remoteGap(String topic);
    }

    String nodeId();

    /** Queues the publish for the other nodes; false if it was dropped (queue full). */
    boolean publish(String topic, JsonValue data);

    /** Queues a presence change (join or leave of a local session) for the other nodes. */
    void presence(String topic, String event, Member member);

    /** Members of the topic on the other nodes; empty when alone or when the cluster cannot be read in time. */
    List<Member> remoteMembers(String topic);

    /** "single", "connected" or "degraded". */
    String state();

    /** Nodes alive at the last heartbeat (this one included), 1 when alone. */
    int nodes();

    /** Open sessions over all nodes at the last heartbeat; this node's count when alone. */
    long clusterSessions(int localSessions);

    @Override
    void close();

    /** The link of a node that runs alone. */
    static ClusterLink single(String nodeId) {
        return new ClusterLink() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public boolean publish(String topic, JsonValue data) {
                return true;
            }

            @Override
            public void presence(String topic, String event, Member member) {
            }

            @Override
            public List<Member> remoteMembers(String topic) {
                return List.of();
            }

            @Override
            public String state() {
                return "single";
            }

            @Override
            public int nodes() {
                return 1;
            }

            @Override
            public long clusterSessions(int localSessions) {
                return localSessions;
            }

            @Override
            public void close() {
            }
        };
    }
}
