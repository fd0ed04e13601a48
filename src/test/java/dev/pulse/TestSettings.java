package dev.pulse;

import java.util.Map;

/**
 * Short timings for end-to-end tests, the same on every server the protocol suite runs against
 * (Tyrus in-JVM, Tomcat, TomEE): silence limit 600 ms, sweep every 75 ms, a time push every 200 ms.
 */
final class TestSettings {

    static final long PING_INTERVAL = 300;
    static final long PONG_TIMEOUT = 300;
    static final long TIME_INTERVAL = 200;
    static final long HEARTBEAT_INTERVAL = 1000;
    static final long HEARTBEAT_TIMEOUT = 500;

    /** Context-params (or system properties) that give these settings. */
    static final Map<String, String> PROPERTIES = Map.of(
            Setting.PING_INTERVAL.propertyName(), Long.toString(PING_INTERVAL),
            Setting.PONG_TIMEOUT.propertyName(), Long.toString(PONG_TIMEOUT),
            Setting.TIME_INTERVAL.propertyName(), Long.toString(TIME_INTERVAL),
            Setting.HEARTBEAT_INTERVAL.propertyName(), Long.toString(HEARTBEAT_INTERVAL),
            Setting.HEARTBEAT_TIMEOUT.propertyName(), Long.toString(HEARTBEAT_TIMEOUT));

    static PulseSettings settings() {
        return PulseSettings.load(PROPERTIES::get, k -> null, k -> null);
    }

    private TestSettings() {
    }
}
