package dev.pulse.testapp;

import dev.pulse.Pulse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A CDI bean of the host application that gets Pulse injected. Deployed only where CDI runs (TomEE). */
@ApplicationScoped
public class CdiPublisher {

    @Inject
    Pulse pulse;

    public int announce(String topic, String text) {
        return pulse.publish(topic, text);
    }
}
