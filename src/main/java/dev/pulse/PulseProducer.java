package dev.pulse;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Makes {@code @Inject Pulse pulse;} work where CDI runs (TomEE, any CDI-enabled app). Without CDI
 * (plain Tomcat) this class is never loaded; use {@link Pulse#get()}.
 */
@ApplicationScoped
public class PulseProducer {

    @Produces
    public Pulse pulse() {
        return Pulse.get();
    }
}
