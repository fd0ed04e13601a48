package dev.pulse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON snapshots behind {@code /api/status} and {@code /api/sessions} (fields in
 * docs/observability.md). Built on demand from the registry and the metrics; safe on any thread.
 */
final class StatusReport {

    private StatusReport() {
    }

    static JsonObject status(PulseRuntime runtime) {
        JsonObjectBuilder settings = Json.createObjectBuilder();
        runtime.settings().asMap().forEach((key, value) -> {
            if (value instanceof Long number) {
                settings.add(key, number);
            } else if (value instanceof Boolean flag) {
                settings.add(key, flag);
            } else {
                settings.add(key, String.valueOf(value));
            }
        });
        MeterRegistry meters = runtime.metrics().registry();
        long fanout = runtime.timePusher().lastFanoutNanos();
        return Json.createObjectBuilder()
                .add("running", true)
                .add("protocol", Protocol.VERSION)
                .add("sessions", runtime.registry().size())
                .add("topics", runtime.topics().names().size())
                .add("uptimeMs", runtime.uptimeMillis())
                .add("scheduler", Json.createObjectBuilder()
                        .add("kind", runtime.scheduler().kind().name().toLowerCase(Locale.ROOT))
                        .add("name", runtime.scheduler().name()))
                .add("rtt", rttPercentiles(runtime.registry()))
                .add("timePush", Json.createObjectBuilder()
                        .add("lastSeq", runtime.timePusher().lastSeq())
                        .add("lastFanoutMs", fanout < 0 ? -1 : fanout / 1e6))
                .add("outboundQueueBytes", runtime.registry().queuedBytes())
                .add("historyBytes", runtime.topics().historyBytes())
                .add("cluster", Json.createObjectBuilder()
                        .add("state", runtime.cluster().state())
                        .add("nodeId", runtime.cluster().nodeId())
                        .add("nodes", runtime.cluster().nodes())
                        .add("sessions", runtime.cluster().clusterSessions(runtime.registry().size())))
                .add("totals", Json.createObjectBuilder()
                        .add("opened", count(meters, "pulse.sessions.opened"))
                        .add("closed", byTag(meters, "pulse.sessions.closed", "cause"))
                        .add("pingsSent", count(meters, "pulse.pings.sent"))
                        .add("pongsReceived", count(meters, "pulse.pongs.received"))
                        .add("heartbeatAcks", count(meters, "pulse.heartbeat.acks"))
                        .add("timePushes", count(meters, "pulse.time.pushes"))
                        .add("sendFailures", count(meters, "pulse.send.failures"))
                        .add("errorFrames", byTag(meters, "pulse.error.frames", "code"))
                        .add("handshakesRefused", byTag(meters, "pulse.handshakes.refused", "reason"))
                        .add("clientReportedDisconnects", byTag(meters, "pulse.client.disconnects", "cause"))
                        .add("clusterSendFailures", count(meters, "pulse.cluster.send.failures"))
                        .add("clusterReceived", count(meters, "pulse.cluster.received"))
                        .add("clusterGaps", count(meters, "pulse.cluster.gaps")))
                .add("settings", settings)
                .build();
    }

    /** Percentiles of the open sessions' last ping round trips, in milliseconds. */
    private static JsonObjectBuilder rttPercentiles(SessionRegistry registry) {
        List<Long> rtts = new ArrayList<>();
        for (Peer peer : registry.peers()) {
            long rtt = peer.rttNanos();
            if (rtt >= 0) {
                rtts.add(rtt);
            }
        }
        rtts.sort(null);
        JsonObjectBuilder b = Json.createObjectBuilder().add("samples", rtts.size());
        if (!rtts.isEmpty()) {
            b.add("p50Ms", percentile(rtts, 0.50) / 1e6).add("p90Ms", percentile(rtts, 0.90) / 1e6)
                    .add("p99Ms", percentile(rtts, 0.99) / 1e6).add("maxMs", rtts.get(rtts.size() - 1) / 1e6);
        }
        return b;
    }

    /** Nearest-rank percentile of a sorted, non-empty list. */
    static long percentile(List<Long> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static long count(MeterRegistry meters, String name) {
        return (long) meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static JsonObjectBuilder byTag(MeterRegistry meters, String name, String tag) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        meters.find(name).counters().stream()
                .sorted((x, y) -> x.getId().getTag(tag).compareTo(y.getId().getTag(tag)))
                .forEach(c -> b.add(c.getId().getTag(tag), (long) c.count()));
        return b;
    }

    static JsonObject sessions(PulseRuntime runtime) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Peer peer : runtime.registry().peers()) {
            SessionInfo s = peer.snapshot();
            JsonObjectBuilder b = Json.createObjectBuilder()
                    .add("id", s.id())
                    .add("connectedAt", s.connectedAt().toString())
                    .add("lastSeen", s.lastSeen().toString());
            if (s.user() != null) {
                b.add("user", s.user());
            }
            if (s.remoteAddress() != null) {
                b.add("address", s.remoteAddress());
            }
            if (s.rtt() != null) {
                b.add("rttMs", s.rtt().toNanos() / 1e6);
            }
            JsonArrayBuilder topics = Json.createArrayBuilder();
            s.topics().stream().sorted().forEach(topics::add);
            list.add(b.add("topics", topics).add("queuedBytes", peer.sender().queuedBytes()));
        }
        return Json.createObjectBuilder().add("sessions", list).build();
    }
}
