package dev.pulse;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The effective settings, immutable. Each value comes from the first source that defines it:
 * environment variable {@code PULSE_<NAME>}, then system property {@code pulse.<name>}, then web.xml
 * context-param {@code pulse.<name>}, then the default.
 */
public final class PulseSettings {

    private final EnumMap<Setting, Object> values;

    private PulseSettings(EnumMap<Setting, Object> values) {
        this.values = values;
    }

    public static PulseSettings defaults() {
        EnumMap<Setting, Object> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, s.defaultValue);
        }
        return new PulseSettings(values);
    }

    /**
     * Reads every setting from the three sources; each function returns null where the source
     * does not define the name.
     *
     * @throws IllegalArgumentException naming the setting and its source when a value does not
     *         parse or is out of range
     */
    public static PulseSettings load(Function<String, String> contextParams,
                                     Function<String, String> systemProperties,
                                     Function<String, String> environment) {
        EnumMap<Setting, Object> values = new EnumMap<>(Setting.class);
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

    private static Object parse(Setting s, String raw, String source) {
        String text = raw.trim();
        switch (s.kind) {
            case TEXT:
                return text;
            case BOOLEAN:
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(text.toLowerCase(Locale.ROOT));
                }
                throw invalid(s, raw, source, "is not true or false");
            default:
                long value;
                try {
                    value = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw invalid(s, raw, source, "is not a whole number between " + s.min + " and " + s.max);
                }
                if (value < s.min || value > s.max) {
                    throw invalid(s, raw, source, "is not a whole number between " + s.min + " and " + s.max);
                }
                return value;
        }
    }

    private static IllegalArgumentException invalid(Setting s, String raw, String source, String problem) {
        return new IllegalArgumentException("Invalid Pulse setting " + s.propertyName() + " from " + source
                + ": '" + raw + "' " + problem);
    }

    /** A copy with one value replaced (checked as if read from a source), for tests and embedding code. */
    public PulseSettings with(Setting s, Object value) {
        EnumMap<Setting, Object> copy = new EnumMap<>(values);
        copy.put(s, parse(s, String.valueOf(value), "code"));
        return new PulseSettings(copy);
    }

    /** A number setting's value. */
    public long get(Setting s) {
        if (s.kind != Setting.Kind.NUMBER) {
            throw new IllegalArgumentException(s + " is not a number setting");
        }
        return (Long) values.get(s);
    }

    public String text(Setting s) {
        if (s.kind != Setting.Kind.TEXT) {
            throw new IllegalArgumentException(s + " is not a text setting");
        }
        return (String) values.get(s);
    }

    /** A text setting split at commas, entries trimmed, empty ones dropped. */
    public List<String> list(Setting s) {
        return Arrays.stream(text(s).split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
    }

    public boolean flag(Setting s) {
        if (s.kind != Setting.Kind.BOOLEAN) {
            throw new IllegalArgumentException(s + " is not a true/false setting");
        }
        return (Boolean) values.get(s);
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

    /** Setting keys to values (Long, String or Boolean), in declaration order. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach((s, v) -> map.put(s.key, v));
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
