package dev.pulse;

import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * One Pulse node in its own JVM, for the cluster tests: Tyrus on a free port with the given
 * Redis and node id. A client message on a topic is published to that topic (as a chat app
 * would); a message on topic {@code ctl} with data {@code "status"} is answered to the sender with
 * the status snapshot. Arguments: Redis URI, node id, and optionally historySize. Prints
 * {@code READY <port>} when it serves; ends when stdin closes.
 */
public final class ClusterNodeMain {

    private ClusterNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String redisUri = args[0];
        String nodeId = args[1];
        PulseSettings settings = TestSettings.settings().with(Setting.REDIS_URI, redisUri).with(Setting.NODE_ID, nodeId)
                .with(Setting.CLUSTER_NODE_TTL, 1500)
                .with(Setting.RATE_LIMIT, 1000).with(Setting.RATE_BURST, 1000); // clients stand in for the app's publishes
        if (args.length > 2) {
            settings = settings.with(Setting.HISTORY_SIZE, Long.parseLong(args[2]));
        }
        try (TyrusPulseServer server = TyrusPulseServer.start(settings)) {
            Pulse pulse = Pulse.get();
            pulse.onMessage(m -> {
                if ("ctl".equals(m.topic())) {
                    JsonObject status = StatusReport.status(server.runtime);
                    pulse.send(m.from().id(), status);
                } else if (m.topic() != null) {
                    pulse.publish(m.topic(), m.data());
                }
            });
            System.out.println("READY " + server.endpoint().getPort());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (stdin.readLine() != null) {
                // runs until the test closes stdin (or kills this JVM)
            }
        }
    }
}
