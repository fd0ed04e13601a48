package dev.pulse;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Turns client text frames into {@link Inbound} values and builds every server frame.
 * Stateless and thread-safe.
 */
public final class MessageCodec {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final JsonProvider json = JsonProvider.provider();
    private final JsonParserFactory parsers = json.createParserFactory(Map.of());

    /** Never throws: whatever the text, the answer is an {@link Inbound}. */
    public Inbound decode(String text) {
        if (Protocol.TEXT_HEARTBEAT.equals(text)) {
            return new Inbound.TextHeartbeat();
        }
        if (Protocol.TEXT_PING.equals(text)) {
            return new Inbound.TextPing();
        }
        JsonValue value;
        try (JsonParser parser = parsers.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                return new Inbound.Invalid("malformed JSON");
            }
            parser.next();
            value = parser.getValue();
            if (parser.hasNext()) { // trailing content after the value
                return new Inbound.Invalid("malformed JSON");
            }
        } catch (JsonException | IllegalStateException | NoSuchElementException e) {
            return new Inbound.Invalid("malformed JSON");
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return new Inbound.Invalid("message must be a JSON object");
        }
        JsonObject message = value.asJsonObject();
        JsonValue type = message.get("type");
        if (type == null || type.getValueType() != JsonValue.ValueType.STRING) {
            return new Inbound.Invalid("field 'type' must be a string");
        }
        String typeName = message.getString("type");
        if (Protocol.HEARTBEAT.equals(typeName)) {
            return decodeHeartbeat(message);
        }
        return new Inbound.Invalid("unknown type '" + abbreviate(typeName) + "'");
    }

    private static Inbound decodeHeartbeat(JsonObject message) {
        JsonValue ts = message.get("ts");
        if (ts == null || ts.getValueType() == JsonValue.ValueType.NULL) {
            return new Inbound.Heartbeat(null);
        }
        if (ts.getValueType() != JsonValue.ValueType.NUMBER) {
            return new Inbound.Invalid("field 'ts' must be a number");
        }
        return new Inbound.Heartbeat((JsonNumber) ts);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    public String welcome(String sessionId, PulseSettings settings, long serverTime) {
        return json.createObjectBuilder()
                .add("type", Protocol.WELCOME)
                .add("sessionId", sessionId)
                .add("protocol", Protocol.VERSION)
                .add("heartbeatInterval", settings.heartbeatInterval())
                .add("heartbeatTimeout", settings.heartbeatTimeout())
                .add("timeInterval", settings.timeInterval())
                .add("serverTime", serverTime)
                .build().toString();
    }

    /** {@code ts} is echoed exactly as the client wrote it; null leaves it out. */
    public String heartbeatAck(JsonNumber ts, long serverTime) {
        StringBuilder sb = new StringBuilder(64).append("{\"type\":\"").append(Protocol.HEARTBEAT_ACK).append('"');
        if (ts != null) {
            sb.append(",\"ts\":").append(ts);
        }
        return sb.append(",\"serverTime\":").append(serverTime).append('}').toString();
    }

    public String time(long serverTime, long seq) {
        return "{\"type\":\"" + Protocol.TIME + "\",\"serverTime\":" + serverTime
                + ",\"iso\":\"" + ISO_MILLIS.format(Instant.ofEpochMilli(serverTime)) + "\",\"seq\":" + seq + "}";
    }

    public String error(String code, String message) {
        return json.createObjectBuilder()
                .add("type", Protocol.ERROR)
                .add("code", code)
                .add("message", message)
                .build().toString();
    }
}
