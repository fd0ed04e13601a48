package dev.pulse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects WARNING+ records of Tomcat's web-app class loader (where the "appears to have started a
 * thread named [..] but has failed to stop it" leak report is logged). Works only where Tomcat runs
 * in this JVM (embedded). Holds the Logger strongly: JUL keeps loggers only weakly.
 */
final class LoaderLogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("org.apache.catalina.loader");
    private final List<String> messages = new CopyOnWriteArrayList<>();

    static LoaderLogCapture install() {
        LoaderLogCapture c = new LoaderLogCapture();
        c.setLevel(Level.WARNING);
        c.logger.addHandler(c);
        return c;
    }

    /**
     * Leak reports seen so far (thread, ThreadLocal, JDBC, timer...), except reports about the
     * connector's own pooled executor threads sitting idle in Tomcat's task queue: Tomcat names a
     * thread when its context class loader is still the web app's, and once in five CI runs one
     * of its idle {@code http-nio-…-exec-N} workers was left that way by a container code path
     * (Pulse sets no context class loader and starts no container thread; its own threads are
     * checked by name, {@code pulse-*}). Tomcat's ThreadLocalLeakPreventionListener (in its default
     * server.xml) renews such workers after a context stops.
     */
    List<String> leaks() {
        return messages.stream()
                .filter(m -> m.contains("failed to stop it") || m.contains("appears to have started")
                        || (m.contains("memory leak") && !m.contains("You need to add")))
                .filter(m -> !isIdleContainerWorker(m))
                .toList();
    }

    /** A report about a connector executor thread whose stack is Tomcat's pool waiting for a task, no Pulse frame. */
    private static boolean isIdleContainerWorker(String report) {
        return IDLE_WORKER_NAME.matcher(report).find()
                && (report.contains("org.apache.tomcat.util.threads.TaskQueue.take")
                        || report.contains("org.apache.tomcat.util.threads.TaskQueue.poll"))
                && !report.contains("dev.pulse.");
    }

    private static final java.util.regex.Pattern IDLE_WORKER_NAME =
            java.util.regex.Pattern.compile("started a thread named \\[http-nio-[^\\]]*-exec-\\d+\\]");

    List<String> all() {
        return List.copyOf(messages);
    }

    @Override
    public void publish(LogRecord r) {
        if (isLoggable(r)) {
            String m = r.getMessage();
            if (r.getParameters() != null && r.getParameters().length > 0) {
                m = java.text.MessageFormat.format(m, r.getParameters());
            }
            messages.add(r.getLoggerName() + ": " + m);
        }
    }

    @Override
    public void flush() { }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
