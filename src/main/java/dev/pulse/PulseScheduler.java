package dev.pulse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The executor Pulse runs its ticks and sends on: the container's
 * {@code ManagedScheduledExecutorService} where one is bound at {@link #JNDI_NAME} (TomEE with the
 * resource from tomee.xml), otherwise Pulse's own pool of daemon threads named
 * {@code pulse-scheduler-N}. Only an own pool is shut down by {@link #close()}; a managed one
 * belongs to the container.
 */
public final class PulseScheduler implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PulseScheduler.class.getName());

    /** Matches the resource-env-ref in web.xml and the Resource id in tomee.xml. */
    public static final String RESOURCE_NAME = "concurrent/PulseScheduler";
    public static final String JNDI_NAME = "java:comp/env/" + RESOURCE_NAME;
    public static final String THREAD_PREFIX = "pulse-scheduler-";

    public enum Kind { MANAGED, FALLBACK }

    private final ScheduledExecutorService executor;
    private final Kind kind;
    private final String name;
    /** Threads of an own pool, joined on close: Tomcat's leak check runs right after contextDestroyed. */
    private final List<Thread> ownThreads;

    private PulseScheduler(ScheduledExecutorService executor, Kind kind, String name, List<Thread> ownThreads) {
        this.executor = executor;
        this.kind = kind;
        this.name = name;
        this.ownThreads = ownThreads;
    }

    /** The managed scheduler if the container binds one, else a fallback pool. */
    public static PulseScheduler resolve() {
        try {
            Object found = new InitialContext().lookup(JNDI_NAME);
            if (found instanceof ScheduledExecutorService managed) {
                LOG.info("Pulse uses the managed scheduler " + JNDI_NAME);
                return new PulseScheduler(managed, Kind.MANAGED, JNDI_NAME, List.of());
            }
            LOG.warning(JNDI_NAME + " is a " + found.getClass().getName() + ", not a scheduler; using fallback threads");
        } catch (NamingException e) {
            LOG.log(Level.FINE, "No managed scheduler at " + JNDI_NAME, e);
        }
        PulseScheduler fallback = fallback(2);
        LOG.info("Pulse uses its own scheduler threads " + THREAD_PREFIX + "N (no managed scheduler at " + JNDI_NAME + ")");
        return fallback;
    }

    /** Pulse's own pool of daemon threads named {@code pulse-scheduler-N}. */
    public static PulseScheduler fallback(int threads) {
        AtomicInteger count = new AtomicInteger();
        List<Thread> created = new CopyOnWriteArrayList<>();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, THREAD_PREFIX + count.incrementAndGet());
            t.setDaemon(true);
            created.add(t);
            return t;
        };
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(threads, factory);
        pool.setRemoveOnCancelPolicy(true);
        return new PulseScheduler(pool, Kind.FALLBACK, THREAD_PREFIX + "N", created);
    }

    public ScheduledExecutorService executor() {
        return executor;
    }

    public Kind kind() {
        return kind;
    }

    /** JNDI name of the managed scheduler, or the thread name pattern of the fallback. */
    public String name() {
        return name;
    }

    /**
     * Stops an own pool and waits until its threads have ended (awaitTermination can return while
     * the last worker is still exiting, so each thread is joined); leaves a managed one alone.
     */
    @Override
    public void close() {
        if (kind != Kind.FALLBACK) {
            return;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("Pulse scheduler threads did not stop within 10 s");
            }
            for (Thread t : ownThreads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
