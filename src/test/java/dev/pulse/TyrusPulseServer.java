package dev.pulse;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.glassfish.tyrus.server.Server;

/**
 * Pulse on an in-JVM Tyrus server on a free loopback port, with its own runtime and fallback
 * scheduler: what the lifecycle listener does in a container. Close it after each test, since
 * the runtime hand-off is static.
 */
final class TyrusPulseServer implements AutoCloseable {

    final PulseRuntime runtime;
    private final Server server;
    private final int port;

    private TyrusPulseServer(PulseRuntime runtime, Server server, int port) {
        this.runtime = runtime;
        this.server = server;
        this.port = port;
    }

    static TyrusPulseServer start(PulseSettings settings) throws Exception {
        return start(settings, PulseMetrics.inMemory());
    }

    static TyrusPulseServer start(PulseSettings settings, PulseMetrics metrics) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // Tyrus binds 8025 when given 0
        }
        PulseRuntime runtime = PulseRuntime.start(settings, PulseScheduler.fallback(2), metrics, Clock.systemUTC());
        Server server = new Server("localhost", port, "/pulse", Map.of(), PulseEndpoint.class);
        try {
            server.start();
        } catch (Exception e) {
            runtime.stop();
            throw e;
        }
        return new TyrusPulseServer(runtime, server, port);
    }

    URI endpoint() {
        return URI.create("ws://localhost:" + port + "/pulse/ws");
    }

    @Override
    public void close() throws IOException {
        runtime.stop();
        server.stop();
    }
}
