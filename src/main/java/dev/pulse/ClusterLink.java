package dev.pulse;

import jakarta.json.JsonValue;
import java.util.List;

/**
 * What Pulse needs of the other nodes: broadcasts, topic publishes and presence changes go out,
 * the other nodes' members and session counts come back, and — when {@link #sequencesTopics()} —
 * the cluster numbers each topic's publishes and keeps their history. {@link #single} is the link
 * of a node alone; with {@code pulse.redisUri} set it is {@link RedisClusterLink}. Sends return at
 * once (queued); reads are bounded calls.
 */
interface ClusterLink extends AutoCloseable {

    /** What the link hands to this node. Called on the link's own threads. */
    interface Inbound {
        /** A broadcast made on another node. */
        void remoteBroadcast(JsonValue data);

        /**
         * A topic publish as the cluster sequenced it, from any node (this one included), in the
         * cluster's order; {@code data} null: the publish with this seq was lost. True when a
         * publish is known lost: this one, or ones before it that this node's subscribers were
         * told of with a gap.
         */
        boolean sequenced(String topic, String epoch, long seq, JsonValue data);

        /** A publish of this node the cluster could not take: deliver it on this node alone. */
        void unsequenced(String topic, JsonValue data);

        /** A member joined or left a topic on another node. */
        void remotePresence(String topic, String event, Member member);
    }

    /** One stored publish of a topic: its seq and its data as JSON text. */
    record Published(long seq, String data) {
    }

    /**
     * A topic as the cluster holds it: its epoch, the last seq given out, and the stored publishes
     * after the seq asked for, in order (any missing from the run were trimmed, expired or lost).
     * {@link #UNREAD}: the cluster was not asked or could not be read.
     */
    record History(String epoch, long seq, List<Published> after) {
        static final History UNREAD = new History(null, 0, List.of());
    }

    String nodeId();

    /** Queues the broadcast for the other nodes; false if it was dropped. */
    boolean broadcast(JsonValue data);

    /**
     * True when topic publishes go through the cluster, which sequences them and hands them back
     * to every node, this one included ({@link Inbound#sequenced}); false when this node numbers
     * and delivers its own.
     */
    boolean sequencesTopics();

    /**
     * Queues a topic publish. With {@link #sequencesTopics()}, it comes back through
     * {@link Inbound#sequenced}, or {@link Inbound#unsequenced} if the cluster cannot take it.
     */
    void publish(String topic, JsonValue data);

    /**
     * The topic as the cluster holds it, with the publishes after {@code afterSeq} (none when
     * negative); {@link History#UNREAD} when it cannot be read in time or topics are not sequenced.
     */
    History history(String topic, long afterSeq);

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
        return new Alone(nodeId);
    }

    /** A node alone: nothing goes out, nothing comes in, this node numbers its own topics. */
    class Alone implements ClusterLink {
        private final String nodeId;

        Alone(String nodeId) {
            this.nodeId = nodeId;
        }

        @Override
        public String nodeId() {
            return nodeId;
        }

        @Override
        public boolean broadcast(JsonValue data) {
            return true;
        }

        @Override
        public boolean sequencesTopics() {
            return false;
        }

        @Override
        public void publish(String topic, JsonValue data) {
        }

        @Override
        public History history(String topic, long afterSeq) {
            return History.UNREAD;
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
    }
}
