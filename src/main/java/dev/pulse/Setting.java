package dev.pulse;

import java.util.Locale;

/**
 * Every Pulse setting: its name, default and allowed range. All values are whole numbers
 * (milliseconds for durations, counts otherwise). The sources and their precedence live in {@link PulseSettings}.
 */
public enum Setting {
    /** How often the server sends a WebSocket Ping frame to every session. */
    PING_INTERVAL("pingInterval", 25_000, 10, 86_400_000),
    /** Grace after a ping interval: a session silent for pingInterval + pongTimeout is closed (4000). */
    PONG_TIMEOUT("pongTimeout", 10_000, 10, 86_400_000),
    /** How often every session gets a {@code time} push. */
    TIME_INTERVAL("timeInterval", 10_000, 10, 86_400_000),
    /** Told to clients in {@code welcome}: how often they should send a heartbeat. */
    HEARTBEAT_INTERVAL("heartbeatInterval", 25_000, 10, 86_400_000),
    /** Told to clients in {@code welcome}: how long past an interval they wait before judging the server dead. */
    HEARTBEAT_TIMEOUT("heartbeatTimeout", 10_000, 10, 86_400_000),
    /** How many topics one session may be subscribed to at once. */
    MAX_TOPICS_PER_SESSION("maxTopicsPerSession", 64, 1, 100_000);

    /** Name as written in docs and JSON, e.g. {@code pingInterval}. */
    public final String key;
    public final long defaultValue;
    public final long min;
    public final long max;

    Setting(String key, long defaultValue, long min, long max) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
    }

    /** web.xml context-param and system property name, e.g. {@code pulse.pingInterval}. */
    public String propertyName() {
        return "pulse." + key;
    }

    /** Environment variable name in upper snake case, e.g. {@code PULSE_PING_INTERVAL}. */
    public String environmentName() {
        return "PULSE_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
