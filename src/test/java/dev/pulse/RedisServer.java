package dev.pulse;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's package) on a free loopback port, without persistence, for the
 * cluster tests. Can be killed and started again on the same port.
 */
final class RedisServer implements AutoCloseable {

    static final String BINARY = "/usr/bin/redis-server";
    final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    static RedisServer start() throws Exception {
        if (!new File(BINARY).canExecute()) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install -y redis-server (.ci/run does)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        RedisServer redis = new RedisServer(port);
        redis.startProcess();
        return redis;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts (again) on the same port and waits until it accepts connections. */
    void startProcess() throws Exception {
        process = new ProcessBuilder(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Await.until("redis-server on port " + port, 10_000, this::accepting);
    }

    /** Kills it like a crash (SIGKILL) and waits until the port is closed. */
    void kill() throws Exception {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Await.until("redis-server gone", 10_000, () -> !accepting());
    }

    private boolean accepting() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
