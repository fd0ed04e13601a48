package dev.pulse;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
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
 * <p>Topic publishes are sequenced by Redis: one script increments the topic's seq, appends the
 * publish to the topic's history stream and publishes it on the bus, atomically, so every node
 * (the publishing one included) receives each topic's publishes in seq order and delivers them
 * from the bus. A client that reconnects to any node resumes from the stream. A publish Redis
 * cannot take is delivered on this node alone ({@link ClusterLink.Inbound#unsequenced}), and its
 * seq is marked lost once Redis is back, so the other nodes' subscribers hear of it as a gap.
 *
 * <p>Redis keys: {@code pulse:nodes} (set of node ids), {@code pulse:node:ID} (this node's session
 * count, expires after {@code clusterNodeTtl} unless refreshed), {@code pulse:presence:TOPIC:ID}
 * (hash session id → member, same expiry), {@code pulse:topic:TOPIC} (hash: epoch, seq; expires a
 * day, or historyTtl if longer, after the topic's last publish), {@code pulse:history:TOPIC}
 * (stream of the last historySize publishes, entry id {@code 0-SEQ}, fields {@code at} and
 * {@code d}; expires historyTtl after the last publish), channel {@code pulse:bus}. Pub/sub is
 * at-most-once: a node that receives a topic's seq out of turn tells the topic's subscribers with
 * a {@code gap} (reason {@code cluster}) and counts it; broadcasts carry a per-node sequence,
 * counted when one is skipped.
 */
final class RedisClusterLink implements ClusterLink {

    private static final Logger LOG = Logger.getLogger(RedisClusterLink.class.getName());
    static final String CHANNEL = "pulse:bus";
    static final String NODES = "pulse:nodes";
    private static final int OUTBOX_CAPACITY = 10_000;
    private static final int TIMEOUT_MILLIS = 1_000;
    /** A topic's epoch lives at least this long after its last publish, so quiet topics keep theirs. */
    private static final long MIN_TOPIC_TTL = 86_400_000;

    /**
     * KEYS: topic hash, history stream. ARGV: epoch for a topic Redis does not hold, the bus
     * message after its '{' (without epoch and seq), the data ('' for a lost publish), history
     * size, history TTL, now, channel, topic hash TTL. Returns the seq given out.
     */
    private static final String SEQUENCE = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              epoch = ARGV[1]
              redis.call('HSET', KEYS[1], 'epoch', epoch)
              redis.call('DEL', KEYS[2])
            end
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            if ARGV[3] ~= '' and tonumber(ARGV[4]) > 0 then
              redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], '0-' .. seq, 'at', ARGV[6], 'd', ARGV[3])
              redis.call('PEXPIRE', KEYS[2], ARGV[5])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[8])
            redis.call('PUBLISH', ARGV[7], '{"e":"' .. epoch .. '","s":' .. seq .. ',' .. ARGV[2])
            return seq
            """;

    /**
     * KEYS: topic hash, history stream. ARGV: epoch for a topic Redis does not hold, the seq after
     * which publishes are wanted (negative: none), topic hash TTL. Returns {epoch, seq, entries}.
     */
    private static final String READ = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              epoch = ARGV[1]
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
              redis.call('DEL', KEYS[2])
            end
            local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
            local after = tonumber(ARGV[2])
            local entries = {}
            if after >= 0 and after < seq then
              entries = redis.call('XRANGE', KEYS[2], '(0-' .. after, '+')
            end
            return {epoch, seq, entries}
            """;

    private final String nodeId;
    private final HostAndPort address;
    private final JedisClientConfig config;
    /** Like {@code config}, but a subscription blocks on reads for as long as it lives. */
    private final JedisClientConfig listenConfig;
    private final long nodeTtl;
    private final int historySize;
    private final long historyTtl;
    private final Inbound inbound;
    private final PulseMetrics metrics;
    private final IntSupplier localSessions;
    private final JsonProvider json = JsonProvider.provider();

    /** A queued Redis command, and what to do instead when it cannot be run (null: nothing). */
    private record Command(Consumer<Jedis> run, Runnable otherwise) {
    }

    private final BlockingQueue<Command> outbox = new LinkedBlockingQueue<>(OUTBOX_CAPACITY);
    /** This node's broadcasts are numbered, so that a receiver can count the lost ones. */
    private final AtomicLong broadcastSeq = new AtomicLong();
    /** Per node, the seq of the last broadcast received from it. */
    private final Map<String, Long> inSeq = new ConcurrentHashMap<>();
    /** Topics with publishes delivered here alone, whose lost seq Redis has not been told yet. */
    private final Set<String> unsequenced = ConcurrentHashMap.newKeySet();
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

    RedisClusterLink(String redisUri, String nodeId, long nodeTtl, int historySize, long historyTtl,
                     Inbound inbound, PulseMetrics metrics, IntSupplier localSessions) {
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
        this.historySize = historySize;
        this.historyTtl = historyTtl;
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

    @Override
    public boolean broadcast(JsonValue data) {
        long seq = broadcastSeq.incrementAndGet();
        String message = json.createObjectBuilder().add("n", nodeId).add("k", "pub").add("s", seq).add("d", data)
                .build().toString();
        return enqueue(new Command(jedis -> jedis.publish(CHANNEL, message), null));
    }

    @Override
    public boolean sequencesTopics() {
        return true;
    }

    @Override
    public void publish(String topic, JsonValue data) {
        Command command = new Command(jedis -> sequence(jedis, topic, data), () -> deliverAlone(topic, data));
        if (!enqueue(command)) {
            command.otherwise().run();
        }
    }

    /** Runs the sequencing script for one publish ({@code data} null: a lost one). */
    private void sequence(Jedis jedis, String topic, JsonValue data) {
        var tail = json.createObjectBuilder().add("n", nodeId).add("k", data == null ? "tlost" : "tpub").add("t", topic);
        if (data != null) {
            tail.add("d", data);
        }
        jedis.eval(SEQUENCE, List.of(topicKey(topic), historyKey(topic)), List.of(TopicRegistry.newEpoch(),
                tail.build().toString().substring(1), data == null ? "" : data.toString(),
                Integer.toString(historySize), Long.toString(historyTtl), Long.toString(System.currentTimeMillis()),
                CHANNEL, Long.toString(topicTtl())));
    }

    private void deliverAlone(String topic, JsonValue data) {
        unsequenced.add(topic);
        inbound.unsequenced(topic, data);
    }

    /** Marks one seq lost in each topic that had publishes delivered here alone. */
    private void markLost(Jedis jedis) {
        for (String topic : unsequenced) {
            sequence(jedis, topic, null);
            unsequenced.remove(topic);
        }
    }

    @Override
    public History history(String topic, long afterSeq) {
        return read("Topic history unreadable", History.UNREAD, jedis -> {
            List<?> reply = (List<?>) jedis.eval(READ, List.of(topicKey(topic), historyKey(topic)),
                    List.of(TopicRegistry.newEpoch(), Long.toString(afterSeq), Long.toString(topicTtl())));
            long horizon = System.currentTimeMillis() - historyTtl;
            List<Published> after = new ArrayList<>();
            for (Object entry : (List<?>) reply.get(2)) {
                List<?> idAndFields = (List<?>) entry;
                String id = text(idAndFields.get(0));
                List<?> fields = (List<?>) idAndFields.get(1);
                Map<String, String> values = new HashMap<>();
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    values.put(text(fields.get(i)), text(fields.get(i + 1)));
                }
                if (Long.parseLong(values.getOrDefault("at", "0")) >= horizon) {
                    after.add(new Published(Long.parseLong(id.substring(id.indexOf('-') + 1)), values.get("d")));
                }
            }
            return new History(text(reply.get(0)), ((Number) reply.get(1)).longValue(), after);
        });
    }

    private static String text(Object redisValue) {
        return redisValue instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(redisValue);
    }

    private long topicTtl() {
        return Math.max(historyTtl, MIN_TOPIC_TTL);
    }

    static String topicKey(String topic) {
        return "pulse:topic:" + topic;
    }

    static String historyKey(String topic) {
        return "pulse:history:" + topic;
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
        enqueue(new Command(jedis -> {
            if (Protocol.PRESENCE_JOIN.equals(event)) {
                jedis.hset(key, member.sessionId(), memberJson);
                jedis.pexpire(key, nodeTtl);
            } else {
                jedis.hdel(key, member.sessionId());
            }
            jedis.publish(CHANNEL, message);
        }, null));
    }

    private boolean enqueue(Command command) {
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
            Command command = null;
            try {
                long wait = Math.max(0, nextBeat - System.currentTimeMillis());
                command = outbox.poll(wait, TimeUnit.MILLISECONDS);
                if (jedis == null) {
                    jedis = new Jedis(address, config); // connects: throws while Redis is away
                }
                if (command != null) {
                    command.run().accept(jedis);
                    command = null; // done: nothing to do instead
                }
                if (!unsequenced.isEmpty()) {
                    markLost(jedis);
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
                if (command != null && command.otherwise() != null) {
                    command.otherwise().run();
                }
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

    /**
     * A bus message from any node. Topic publishes are delivered whoever made them (the cluster
     * sequenced them); this node's own broadcasts and presence changes are ignored. Never throws.
     */
    private void receive(String message) {
        try {
            JsonObject m = json.createReader(new StringReader(message)).readObject();
            String kind = m.getString("k");
            String topic = m.getString("t", null);
            boolean own = nodeId.equals(m.getString("n"));
            if (!own) {
                metrics.clusterReceived();
            }
            if ("tpub".equals(kind) || "tlost".equals(kind)) {
                if (inbound.sequenced(topic, m.getString("e"), m.getJsonNumber("s").longValue(),
                        "tpub".equals(kind) ? m.get("d") : null)) {
                    metrics.clusterGap();
                }
                return;
            }
            if (own) {
                return;
            }
            switch (kind) {
                case "pub" -> {
                    long seq = m.getJsonNumber("s").longValue();
                    Long previous = inSeq.put(m.getString("n"), seq);
                    if (previous != null && seq != previous + 1) {
                        metrics.clusterGap();
                    }
                    inbound.remoteBroadcast(m.get("d"));
                }
                case Protocol.PRESENCE_JOIN, Protocol.PRESENCE_LEAVE ->
                        inbound.remotePresence(topic, kind, member(m.getJsonObject("m")));
                default -> LOG.fine(() -> "Unknown cluster message " + message);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Bad cluster message ignored: " + message, e);
        }
    }

    @Override
    public List<Member> remoteMembers(String topic) {
        return read("Cluster presence unreadable; local members only", List.of(), jedis -> {
            List<Member> members = new ArrayList<>();
            for (String node : jedis.smembers(NODES)) {
                if (!node.equals(nodeId)) {
                    for (String value : jedis.hgetAll(presenceKey(topic, node)).values()) {
                        members.add(member(json.createReader(new StringReader(value)).readObject()));
                    }
                }
            }
            return members;
        });
    }

    /**
     * Runs a read on the reads connection, serialised. A connection that fails is replaced and
     * the read tried once more on the new one (Redis may have restarted since the last read);
     * {@code otherwise} when that fails too.
     */
    private <T> T read(String failure, T otherwise, Function<Jedis, T> query) {
        synchronized (readLock) {
            for (int attempt = 0; attempt < 2; attempt++) {
                boolean fresh = reads == null;
                try {
                    if (fresh) {
                        reads = new Jedis(address, config);
                    }
                    return query.apply(reads);
                } catch (RuntimeException e) {
                    closeQuietly(reads);
                    reads = null;
                    if (fresh) {
                        LOG.log(Level.FINE, failure, e);
                        return otherwise;
                    }
                }
            }
            return otherwise;
        }
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
