package dev.pulse;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.time.Clock;

/**
 * The one owner of Pulse's lifecycle in a web application: reads the settings, picks the scheduler
 * and starts the runtime when the context starts; stops it (every session gets 1001, no Pulse
 * thread survives) when the context is destroyed. A bad setting fails the deployment.
 * Sessions are closed a step earlier, from {@link HandshakeFilter#destroy()}, see there.
 */
@WebListener
public class PulseLifecycleListener implements ServletContextListener {

    private PulseRuntime runtime;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        PulseSettings settings = PulseSettings.load(event.getServletContext()::getInitParameter);
        runtime = PulseRuntime.start(settings, PulseScheduler.resolve(),
                PulseMetrics.exported(event.getServletContext().getContextPath()), Clock.systemUTC());
        event.getServletContext().setAttribute(Pulse.CONTEXT_ATTRIBUTE, Pulse.get());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (runtime != null) {
            event.getServletContext().removeAttribute(Pulse.CONTEXT_ATTRIBUTE);
            runtime.stop();
            runtime = null;
        }
    }
}
