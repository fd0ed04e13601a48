package dev.pulse;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.params.SetParams;

/**
 * The cluster through Redis pub/sub, with Jedis on two threads of its own: {@code pulse-cluster-out}
 * sends (publishes, presence changes, the node heartbeat) from a bounded queue, so no request or
 * broadcast thread ever waits on Redis; {@code pulse-cluster-sub} listens, and reconnects with
 * jittered backoff when Redis goes away. Both end in {@link #close()}.
 *
 * <p>Redis keys: {@code pulse:nodes} (set of node ids), {@code pulse:node:ID} (this node's session
 * count, expires after {@code clusterNodeTtl} unless refreshed), {@code pulse:presence:TOPIC:ID}
 * (hash session id → member, same expiry), channel {@code pulse:bus}. Pub/sub is at-most-once: each
 * publish carries a per-(node, topic) sequence, and a receiver that sees one skipped tells the
 * topic's subscribers with a {@code gap} (reason {@code cluster}).
 */
final class RedisClusterLink implements ClusterLink {

    private static final Logger LOG = Logger.getLogger(RedisClusterLink.class.getName());
    static final String CHANNEL = "pulse:bus";
    static final String NODES = "pulse:nodes";
    private static final int OUTBOX_CAPACITY = 10_000;
    private static final int TIMEOUT_MILLIS = 1_000;
    /** Sequence key of broadcasts to every session (not a valid topic name). */
    private static final String ALL = "*";

    private final String nodeId;
    private final HostAndPort address;
    private final JedisClientConfig config;
    /** Like {@code config}, but a subscription blocks on reads for as long as it lives. */
    private final JedisClientConfig listenConfig;
    private final long nodeTtl;
    private final Inbound inbound;
    private final PulseMetrics metrics;
    private final IntSupplier localSessions;
    private final JsonProvider json = JsonProvider.provider();

    private final BlockingQueue<Consumer<Jedis>> outbox = new LinkedBlockingQueue<>(OUTBOX_CAPACITY);
    private final Map<String, AtomicLong> outSeq = new ConcurrentHashMap<>();
    private final Map<String, Long> inSeq = new ConcurrentHashMap<>();
    /** This node's members per topic, to write again after Redis lost them. */
    private final Map<String, Map<String, Member>> localMembers = new ConcurrentHashMap<>();

    private final Thread sender;
    private final Thread listener;
    private volatile boolean running = true;
    private volatile boolean sendOk;
    private volatile boolean subscribed;
    private volatile boolean rewritePresence = true;
    private volatile JedisPubSub pubSub;
    private volatile Jedis listenerConnection;
    private volatile int nodes = 1;
    private volatile long clusterSessions = -1;
    private final Object readLock = new Object();
    private Jedis reads; // guarded by readLock

    RedisClusterLink(String redisUri, String nodeId, long nodeTtl, Inbound inbound, PulseMetrics metrics,
                     IntSupplier localSessions) {
        URI uri = URI.create(redisUri);
        if (!"redis".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("Invalid Pulse setting pulse.redisUri: '" + redisUri
                    + "' is not redis://[:password@]host[:port]");
        }
        this.address = new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
        String userInfo = uri.getUserInfo();
        String password = userInfo != null && userInfo.contains(":") ? userInfo.substring(userInfo.indexOf(':') + 1) : null;
        this.config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS).clientName("pulse-" + nodeId).password(password).build();
        this.listenConfig = DefaultJedisClientConfig.builder().connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(0).clientName("pulse-" + nodeId + "-sub").password(password).build();
        this.nodeId = nodeId;
        this.nodeTtl = nodeTtl;
        this.inbound = inbound;
        this.metrics = metrics;
        this.localSessions = localSessions;
        this.sender = new Thread(this::sendLoop, "pulse-cluster-out");
        this.listener = new Thread(this::listenLoop, "pulse-cluster-sub");
        sender.setDaemon(true);
        listener.setDaemon(true);
        sender.start();
        listener.start();
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /** {@code topic} null: a broadcast to every session. */
    @Override
    public boolean publish(String topic, JsonValue data) {
        long seq = outSeq.computeIfAbsent(topic == null ? ALL : topic, t -> new AtomicLong()).incrementAndGet();
        var b = json.createObjectBuilder().add("n", nodeId).add("k", "pub").add("s", seq).add("d", data);
        if (topic != null) {
            b.add("t", topic);
        }
        String message = b.build().toString();
        return enqueue(jedis -> jedis.publish(CHANNEL, message));
    }

    @Override
    public void presence(String topic, String event, Member member) {
        Map<String, Member> members = localMembers.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
        String key = presenceKey(topic, nodeId);
        JsonObject memberObject = memberObject(member);
        String memberJson = memberObject.toString();
        if (Protocol.PRESENCE_JOIN.equals(event)) {
            members.put(member.sessionId(), member);
        } else {
            members.remove(member.sessionId());
        }
        String message = json.createObjectBuilder().add("n", nodeId).add("k", event).add("t", topic)
                .add("m", memberObject).build().toString();
        enqueue(jedis -> {
            if (Protocol.PRESENCE_JOIN.equals(event)) {
                jedis.hset(key, member.sessionId(), memberJson);
                jedis.pexpire(key, nodeTtl);
            } else {
                jedis.hdel(key, member.sessionId());
            }
            jedis.publish(CHANNEL, message);
        });
    }

    private boolean enqueue(Consumer<Jedis> command) {
        if (!running || !outbox.offer(command)) {
            metrics.clusterSendFailed();
            return false;
        }
        return true;
    }

    static String presenceKey(String topic, String node) {
        return "pulse:presence:" + topic + ":" + node;
    }

    private JsonObject memberObject(Member m) {
        var b = json.createObjectBuilder().add("sessionId", m.sessionId()).add("node", m.node());
        if (m.user() != null) {
            b.add("user", m.user());
        }
        return b.build();
    }

    private Member member(JsonObject o) {
        return new Member(o.getString("sessionId"), o.getString("user", null), o.getString("node"));
    }

    /** Runs queued commands in order, and the heartbeat every third of the node TTL. */
    private void sendLoop() {
        Jedis jedis = null;
        long nextBeat = 0;
        while (running) {
            try {
                long wait = Math.max(0, nextBeat - System.currentTimeMillis());
                Consumer<Jedis> command = outbox.poll(wait, TimeUnit.MILLISECONDS);
                if (jedis == null) {
                    jedis = new Jedis(address, config);
                }
                if (command != null) {
                    command.accept(jedis);
                }
                if (System.currentTimeMillis() >= nextBeat) {
                    heartbeat(jedis);
                    nextBeat = System.currentTimeMillis() + Math.max(100, nodeTtl / 3);
                }
                sendOk = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) { // JedisException: Redis unreachable or failing
                if (sendOk) {
                    LOG.log(Level.WARNING, "Cluster degraded: Redis at " + address + " failed (" + e + "); local delivery goes on");
                }
                sendOk = false;
                rewritePresence = true;
                metrics.clusterSendFailed();
                closeQuietly(jedis);
                jedis = null;
                nextBeat = System.currentTimeMillis() + backoff(1);
            }
        }
        closeQuietly(jedis);
    }

    /** Refreshes this node's keys (writing its presence again after Redis lost it) and reads the others'. */
    private void heartbeat(Jedis jedis) {
        jedis.set("pulse:node:" + nodeId, Integer.toString(localSessions.getAsInt()), SetParams.setParams().px(nodeTtl));
        jedis.sadd(NODES, nodeId);
        boolean rewrite = rewritePresence;
        for (Map.Entry<String, Map<String, Member>> e : localMembers.entrySet()) {
            String key = presenceKey(e.getKey(), nodeId);
            if (rewrite) {
                jedis.del(key);
                for (Member m : e.getValue().values()) {
                    jedis.hset(key, m.sessionId(), memberObject(m).toString());
                }
            }
            jedis.pexpire(key, nodeTtl);
        }
        rewritePresence = false;
        int alive = 0;
        long sessions = 0;
        for (String node : jedis.smembers(NODES)) {
            String count = jedis.get("pulse:node:" + node);
            if (count == null) {
                jedis.srem(NODES, node); // expired: the node is gone
            } else {
                alive++;
                sessions += Long.parseLong(count);
            }
        }
        nodes = Math.max(1, alive);
        clusterSessions = sessions;
    }

    /** Subscribes to the bus; on any failure waits with jittered backoff and subscribes again. */
    private void listenLoop() {
        int attempt = 0;
        while (running) {
            try (Jedis jedis = new Jedis(address, listenConfig)) {
                listenerConnection = jedis;
                JedisPubSub subscription = new JedisPubSub() {
                    @Override
                    public void onSubscribe(String channel, int count) {
                        subscribed = true;
                        LOG.info("Cluster node " + nodeId + " listening on Redis at " + address);
                    }

                    @Override
                    public void onMessage(String channel, String message) {
                        receive(message);
                    }
                };
                pubSub = subscription;
                attempt = 0;
                jedis.subscribe(subscription, CHANNEL);
            } catch (RuntimeException e) {
                if (running && subscribed) {
                    LOG.log(Level.WARNING, "Cluster degraded: lost the Redis subscription (" + e + "); reconnecting");
                }
            }
            subscribed = false;
            if (running) {
                try {
                    Thread.sleep(backoff(++attempt)); // reconnect delay, not a wait for an event
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Full-jitter exponential backoff: 100 ms doubling to 5 s. */
    private static long backoff(int attempt) {
        long cap = Math.min(5_000, 100L << Math.min(attempt, 6));
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    /** A bus message from any node; this node's own are ignored. Never throws. */
    private void receive(String message) {
        try {
            JsonObject m = json.createReader(new StringReader(message)).readObject();
            if (nodeId.equals(m.getString("n"))) {
                return;
            }
            metrics.clusterReceived();
            String topic = m.getString("t", null);
            switch (m.getString("k")) {
                case "pub" -> {
                    long seq = m.getJsonNumber("s").longValue();
                    Long previous = inSeq.put(m.getString("n") + "\n" + (topic == null ? ALL : topic), seq);
                    if (previous != null && seq != previous + 1) {
                        metrics.clusterGap();
                        inbound.remoteGap(topic);
                    }
                    inbound.remotePublish(topic, m.get("d"));
                }
                case Protocol.PRESENCE_JOIN, Protocol.PRESENCE_LEAVE ->
                        inbound.remotePresence(topic, m.getString("k"), member(m.getJsonObject("m")));
                default -> LOG.fine(() -> "Unknown cluster message " + message);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Bad cluster message ignored: " + message, e);
        }
    }

    @Override
    public List<Member> remoteMembers(String topic) {
        List<Member> members = new ArrayList<>();
        synchronized (readLock) {
            try {
                if (reads == null) {
                    reads = new Jedis(address, config);
                }
                for (String node : reads.smembers(NODES)) {
                    if (!node.equals(nodeId)) {
                        for (String value : reads.hgetAll(presenceKey(topic, node)).values()) {
                            members.add(member(json.createReader(new StringReader(value)).readObject()));
                        }
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Cluster presence unreadable; local members only", e);
                closeQuietly(reads);
                reads = null;
                return List.of();
            }
        }
        return members;
    }

    @Override
    public String state() {
        return sendOk && subscribed ? "connected" : "degraded";
    }

    @Override
    public int nodes() {
        return nodes;
    }

    @Override
    public long clusterSessions(int localSessions) {
        return clusterSessions < 0 ? localSessions : clusterSessions;
    }

    /** Stops both threads and waits for them, then takes this node's keys out of Redis (best effort). */
    @Override
    public void close() {
        running = false;
        JedisPubSub subscription = pubSub;
        if (subscription != null && subscribed) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Unsubscribe failed", e);
            }
        }
        closeQuietly(listenerConnection);
        sender.interrupt();
        listener.interrupt();
        try {
            sender.join(5_000);
            listener.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Jedis jedis = new Jedis(address, config)) {
            for (String topic : localMembers.keySet()) {
                jedis.del(presenceKey(topic, nodeId));
            }
            jedis.del("pulse:node:" + nodeId);
            jedis.srem(NODES, nodeId);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Could not remove this node's keys; they expire by themselves", e);
        }
        synchronized (readLock) {
            closeQuietly(reads);
            reads = null;
        }
    }

    private static void closeQuietly(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing a Redis connection failed", e);
            }
        }
    }
}
