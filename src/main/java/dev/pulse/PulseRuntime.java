package dev.pulse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running Pulse: the registry, the handlers that act on it, and the scheduled ticks. Created by
 * {@link #start} and ended by {@link #stop}, both called by the lifecycle owner
 * ({@link PulseLifecycleListener} in a web application, the test fixture in tests).
 *
 * <p>The endpoint reaches the running instance through {@link Pulse#get()}, the one static
 * hand-off: one per web application, since each has its own class loader.
 */
public final class PulseRuntime {

    private static final Logger LOG = Logger.getLogger(PulseRuntime.class.getName());

    private final PulseSettings settings;
    private final PulseScheduler scheduler;
    private final PulseMetrics metrics;
    private final Clock clock;
    private final long startedAt;
    private final SessionRegistry registry = new SessionRegistry();
    private final TopicRegistry topics;
    private final Messaging messaging;
    private final SessionHandler sessions;
    private final HandshakePolicy handshakePolicy;
    private final ClusterLink cluster;
    private final LivenessMonitor liveness;
    private final TimePusher timePusher;
    private final List<ScheduledFuture<?>> ticks = new ArrayList<>();

    private PulseRuntime(PulseSettings settings, PulseScheduler scheduler, PulseMetrics metrics, Clock clock) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.clock = clock;
        this.startedAt = clock.millis();
        MessageCodec codec = new MessageCodec((int) settings.get(Setting.MAX_JSON_DEPTH));
        this.topics = new TopicRegistry(settings, clock);
        this.messaging = new Messaging(registry, topics, codec, settings);
        this.sessions = new SessionHandler(registry, messaging, Pulse.get().events(), codec, settings, clock,
                scheduler.executor(), metrics);
        this.handshakePolicy = new HandshakePolicy(settings);
        String nodeId = settings.text(Setting.NODE_ID).isEmpty()
                ? HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
                : settings.text(Setting.NODE_ID);
        String redisUri = settings.text(Setting.REDIS_URI);
        this.cluster = redisUri.isEmpty() ? ClusterLink.single(nodeId)
                : new RedisClusterLink(redisUri, nodeId, settings.get(Setting.CLUSTER_NODE_TTL),
                        (int) settings.get(Setting.HISTORY_SIZE), settings.get(Setting.HISTORY_TTL), messaging, metrics, registry::size);
        messaging.cluster(cluster);
        metrics.watchCluster(cluster::state);
        this.liveness = new LivenessMonitor(registry, sessions, settings, clock, metrics);
        int fanOutThreads = (int) settings.get(Setting.FAN_OUT_THREADS);
        this.timePusher = new TimePusher(registry, codec, clock, metrics, new FanOut(scheduler.executor(),
                fanOutThreads == 0 ? Runtime.getRuntime().availableProcessors() : fanOutThreads));
        metrics.watch(registry::size, registry::queuedBytes);
    }

    /**
     * Builds a runtime, schedules its ping, sweep and time ticks, and hands it to {@link Pulse}.
     *
     * @throws IllegalStateException if Pulse is already running in this class loader
     */
    public static PulseRuntime start(PulseSettings settings, PulseScheduler scheduler, PulseMetrics metrics, Clock clock) {
        PulseRuntime runtime = new PulseRuntime(settings, scheduler, metrics, clock);
        Pulse.get().started(runtime);
        runtime.scheduleTicks();
        LOG.info("Pulse started: settings " + settings + ", scheduler " + scheduler.kind() + " " + scheduler.name());
        return runtime;
    }

    private void scheduleTicks() {
        ScheduledExecutorService executor = scheduler.executor();
        // one liveness tick (sweep + a slice of pings) at most every sweep interval; the first half
        // a tick in: with one-second ticks and time pushes on whole seconds, pings land between pushes
        long livenessTick = liveness.tickMicros();
        ticks.add(executor.scheduleAtFixedRate(safely("liveness", liveness::tick),
                livenessTick / 2, livenessTick, TimeUnit.MICROSECONDS));
        ticks.add(executor.scheduleAtFixedRate(safely("time push", timePusher::pushTime),
                settings.timeInterval(), settings.timeInterval(), TimeUnit.MILLISECONDS));
        ticks.add(executor.scheduleAtFixedRate(safely("history expiry", topics::expire), 1, 1, TimeUnit.SECONDS));
    }

    /** A task that never throws: one that did would never run again under scheduleAtFixedRate. */
    private static Runnable safely(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(Level.SEVERE, "Pulse " + name + " tick failed", t);
            }
        };
    }

    /**
     * Closes every session with 1001 and a reason {@code {"reason":"server shutdown","retryAfterMs":n}},
     * n spread at random over shutdownSpread so that clients do not all come back in the same
     * second. Close listeners hear {@link CloseCause#SERVER_SHUTDOWN}. Returns how many it closed;
     * safe to call more than once.
     */
    public int closeAllSessions() {
        long spread = settings.get(Setting.SHUTDOWN_SPREAD);
        int closed = 0;
        for (Peer peer : registry.peers()) {
            if (sessions.end(peer, CloseCause.SERVER_SHUTDOWN)) {
                long retryAfter = spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread + 1);
                peer.connection().close(Protocol.Close.GOING_AWAY.code,
                        MessageCodec.closeReason(Protocol.Close.GOING_AWAY.reason, retryAfter));
                closed++;
            }
        }
        return closed;
    }

    /**
     * Releases the hand-off, cancels the ticks, closes the sessions still open
     * ({@link #closeAllSessions}) and stops an own scheduler pool. Called once, by the lifecycle owner.
     */
    public void stop() {
        Pulse.get().stopped(this);
        ticks.forEach(t -> t.cancel(false));
        int closed = closeAllSessions();
        cluster.close();
        scheduler.close();
        metrics.close();
        LOG.info("Pulse stopped; closed " + closed + " sessions with " + Protocol.Close.GOING_AWAY.code);
    }

    public PulseSettings settings() {
        return settings;
    }

    public PulseMetrics metrics() {
        return metrics;
    }

    public PulseScheduler scheduler() {
        return scheduler;
    }

    public SessionRegistry registry() {
        return registry;
    }

    ClusterLink cluster() {
        return cluster;
    }

    HandshakePolicy handshakePolicy() {
        return handshakePolicy;
    }

    TopicRegistry topics() {
        return topics;
    }

    Messaging messaging() {
        return messaging;
    }

    public SessionHandler sessions() {
        return sessions;
    }

    public LivenessMonitor liveness() {
        return liveness;
    }

    public TimePusher timePusher() {
        return timePusher;
    }

    public long uptimeMillis() {
        return clock.millis() - startedAt;
    }
}
