package dev.pulse;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every Pulse metric, in one place (names in docs/observability.md). Backed by Micrometer: a
 * Prometheus registry for {@code /metrics} and a JMX registry (domain {@code dev.pulse}) for
 * JConsole / VisualVM, or a plain in-memory registry in unit tests. Thread-safe; recording never
 * throws and never blocks.
 */
public final class PulseMetrics implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PulseMetrics.class.getName());

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final JmxMeterRegistry jmx;
    private final Counter opened;
    private final Map<CloseCause, Counter> closed = new EnumMap<>(CloseCause.class);
    private final Counter pingsSent;
    private final Counter pongsReceived;
    private final Timer pongRtt;
    private final Counter heartbeatAcks;
    private final Counter timePushes;
    private final Timer timePushFanout;
    private final Counter sendFailures;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Map<String, Counter> errorFrames = new ConcurrentHashMap<>();
    private final Map<String, Counter> clientReports = new ConcurrentHashMap<>();
    private final DistributionSummary clientDowntime;
    private final Counter clusterSendFailures;
    private final Counter clusterReceived;
    private final Counter clusterGaps;

    private PulseMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, JmxMeterRegistry jmx) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.jmx = jmx;
        this.opened = Counter.builder("pulse.sessions.opened").description("Sessions opened").register(registry);
        for (CloseCause cause : CloseCause.values()) {
            closed.put(cause, Counter.builder("pulse.sessions.closed").description("Sessions closed, by cause")
                    .tag("cause", tagValue(cause.name())).register(registry));
        }
        this.pingsSent = Counter.builder("pulse.pings.sent").description("WebSocket Ping frames queued").register(registry);
        this.pongsReceived = Counter.builder("pulse.pongs.received").description("Pong frames received").register(registry);
        this.pongRtt = Timer.builder("pulse.pong.rtt").description("Round-trip time of server pings")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        this.heartbeatAcks = Counter.builder("pulse.heartbeat.acks").description("Client heartbeats answered").register(registry);
        this.timePushes = Counter.builder("pulse.time.pushes").description("Time pushes (one per tick)").register(registry);
        this.timePushFanout = Timer.builder("pulse.time.push.fanout").description("Time to queue one time push for every session")
                .publishPercentileHistogram().register(registry);
        this.sendFailures = Counter.builder("pulse.send.failures").description("Sends that failed (peer gone or too slow)").register(registry);
        this.clientDowntime = DistributionSummary.builder("pulse.client.downtime").baseUnit("seconds")
                .description("How long clients were disconnected before reconnecting, as they report it")
                .publishPercentileHistogram().register(registry);
        this.clusterSendFailures = Counter.builder("pulse.cluster.send.failures")
                .description("Cluster sends dropped or failed (Redis unreachable or queue full)").register(registry);
        this.clusterReceived = Counter.builder("pulse.cluster.received").description("Messages received from other nodes").register(registry);
        this.clusterGaps = Counter.builder("pulse.cluster.gaps").description("Publishes from other nodes detected as lost").register(registry);
    }

    /** Prometheus and JMX registries, as a web application uses them; {@code app} tags every meter. */
    public static PulseMetrics exported(String app) {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JmxMeterRegistry jmx = null;
        try {
            jmx = new JmxMeterRegistry(new JmxConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public String domain() {
                    return "dev.pulse";
                }
            }, Clock.SYSTEM);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "JMX metrics unavailable; Prometheus metrics still served", e);
        }
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(prometheus);
        if (jmx != null) {
            composite.add(jmx);
        }
        composite.config().commonTags("app", app == null || app.isEmpty() ? "/" : app);
        return new PulseMetrics(composite, prometheus, jmx);
    }

    /** An in-memory registry with nothing exported, for tests and embedding without a container. */
    public static PulseMetrics inMemory() {
        return new PulseMetrics(new SimpleMeterRegistry(), null, null);
    }

    /** Gauges read on demand: open sessions and bytes queued across all sessions. */
    void watch(Supplier<Number> openSessions, Supplier<Number> queuedBytes) {
        Gauge.builder("pulse.sessions.open", openSessions).description("Open sessions").register(registry);
        Gauge.builder("pulse.outbound.queue", queuedBytes).baseUnit("bytes")
                .description("Bytes queued or in flight to clients, all sessions").register(registry);
    }

    /** 1 when the cluster link is connected or the node runs alone, 0 when degraded. */
    void watchCluster(Supplier<String> state) {
        Gauge.builder("pulse.cluster.healthy", () -> "degraded".equals(state.get()) ? 0 : 1)
                .description("1 when the cluster link works (or the node runs alone), 0 when degraded").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition, or null where nothing is exported. */
    public String scrape() {
        return prometheus == null ? null : prometheus.scrape();
    }

    void opened() {
        opened.increment();
    }

    void closed(CloseCause cause) {
        closed.get(cause).increment();
    }

    void pingsSent(int n) {
        pingsSent.increment(n);
    }

    void pong(long rttNanos) {
        pongsReceived.increment();
        if (rttNanos >= 0) {
            pongRtt.record(rttNanos, TimeUnit.NANOSECONDS);
        }
    }

    void heartbeatAck() {
        heartbeatAcks.increment();
    }

    void timePushed(long fanoutNanos) {
        timePushes.increment();
        timePushFanout.record(fanoutNanos, TimeUnit.NANOSECONDS);
    }

    void sendFailed() {
        sendFailures.increment();
    }

    void handshakeRefused(String reason) {
        tagged(refused, "pulse.handshakes.refused", "Handshakes refused, by reason", "reason", reason).increment();
    }

    void errorFrame(String code) {
        tagged(errorFrames, "pulse.error.frames", "Error frames sent to clients, by code", "code", code).increment();
    }

    /** The counter of one tag value, registered the first time the value is seen. */
    private Counter tagged(Map<String, Counter> cache, String name, String description, String tag, String value) {
        return cache.computeIfAbsent(value, v -> Counter.builder(name).description(description).tag(tag, v).register(registry));
    }

    /** A client's own account of why it lost its previous connection, and for how long. */
    void clientReport(String cause, long downtimeMillis) {
        tagged(clientReports, "pulse.client.disconnects",
                "Disconnects as clients report them after reconnecting, by cause", "cause", cause).increment();
        if (downtimeMillis >= 0) {
            clientDowntime.record(downtimeMillis / 1000.0);
        }
    }

    void clusterSendFailed() {
        clusterSendFailures.increment();
    }

    void clusterReceived() {
        clusterReceived.increment();
    }

    void clusterGap() {
        clusterGaps.increment();
    }

    static String tagValue(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }

    /** Unregisters the JMX beans; a stopped application leaves nothing behind. */
    @Override
    public void close() {
        registry.close();
        if (jmx != null) {
            jmx.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }
}
