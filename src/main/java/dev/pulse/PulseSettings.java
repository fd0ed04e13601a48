package dev.pulse;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The effective settings, immutable. Each value comes from the first source that defines it:
 * environment variable {@code PULSE_<NAME>}, then system property {@code pulse.<name>}, then web.xml
 * context-param {@code pulse.<name>}, then the default.
 */
public final class PulseSettings {

    private final EnumMap<Setting, Long> values;

    private PulseSettings(EnumMap<Setting, Long> values) {
        this.values = values;
    }

    public static PulseSettings defaults() {
        EnumMap<Setting, Long> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, s.defaultValue);
        }
        return new PulseSettings(values);
    }

    /**
     * Reads every setting from the three sources; each function returns null where the source
     * does not define the name.
     *
     * @throws IllegalArgumentException naming the setting and its source when a value is not a
     *         whole number within the setting's range
     */
    public static PulseSettings load(Function<String, String> contextParams,
                                     Function<String, String> systemProperties,
                                     Function<String, String> environment) {
        EnumMap<Setting, Long> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String raw;
            String source;
            if ((raw = environment.apply(s.environmentName())) != null) {
                source = "environment variable " + s.environmentName();
            } else if ((raw = systemProperties.apply(s.propertyName())) != null) {
                source = "system property " + s.propertyName();
            } else if ((raw = contextParams.apply(s.propertyName())) != null) {
                source = "context-param " + s.propertyName();
            } else {
                values.put(s, s.defaultValue);
                continue;
            }
            values.put(s, parse(s, raw, source));
        }
        return new PulseSettings(values);
    }

    /** Reads the system properties and environment of this JVM, and the given context-params. */
    public static PulseSettings load(Function<String, String> contextParams) {
        return load(contextParams, System::getProperty, System::getenv);
    }

    private static long parse(Setting s, String raw, String source) {
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw invalid(s, raw, source);
        }
        if (value < s.min || value > s.max) {
            throw invalid(s, raw, source);
        }
        return value;
    }

    private static IllegalArgumentException invalid(Setting s, String raw, String source) {
        return new IllegalArgumentException("Invalid Pulse setting " + s.propertyName() + " from " + source
                + ": '" + raw + "' is not a whole number between " + s.min + " and " + s.max);
    }

    /** A copy with one value replaced (range-checked), for tests and embedding code. */
    public PulseSettings with(Setting s, long value) {
        EnumMap<Setting, Long> copy = new EnumMap<>(values);
        copy.put(s, parse(s, Long.toString(value), "code"));
        return new PulseSettings(copy);
    }

    public long get(Setting s) {
        return values.get(s);
    }

    public long pingInterval() {
        return get(Setting.PING_INTERVAL);
    }

    public long pongTimeout() {
        return get(Setting.PONG_TIMEOUT);
    }

    public long timeInterval() {
        return get(Setting.TIME_INTERVAL);
    }

    public long heartbeatInterval() {
        return get(Setting.HEARTBEAT_INTERVAL);
    }

    public long heartbeatTimeout() {
        return get(Setting.HEARTBEAT_TIMEOUT);
    }

    public int maxTopicsPerSession() {
        return (int) get(Setting.MAX_TOPICS_PER_SESSION);
    }

    /** A session silent for longer than this many milliseconds is closed. */
    public long silenceLimit() {
        return pingInterval() + pongTimeout();
    }

    /** Setting keys to values, in declaration order. */
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        values.forEach((s, v) -> map.put(s.key, v));
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
