package bench;

import dev.pulse.Pulse;
import jakarta.json.Json;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark only (added to a copy of the Pulse WAR by bench/lib/servers.js, never shipped):
 * publishes {"serverTime": now} to topic "bench" every -Dbench.topicInterval ms (default 1000), as
 * an application's publisher would, so that the load generator can measure a topic's fan-out.
 */
@WebListener
public class TopicTicker implements ServletContextListener {

    private ScheduledExecutorService timer;

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        long interval = Long.getLong("bench.topicInterval", 1000);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-topic-ticker");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                Pulse.get().publish("bench", Json.createObjectBuilder().add("serverTime", System.currentTimeMillis()).build());
            } catch (RuntimeException e) {
                // Pulse not started yet, or stopping: the next tick tries again
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        timer.shutdownNow();
    }
}
