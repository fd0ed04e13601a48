package dev.pulse;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * Turns client text frames into {@link Inbound} values and builds every server frame.
 * Stateless and thread-safe.
 */
public final class MessageCodec {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final String CANONICAL_HEARTBEAT_PREFIX = "{\"type\":\"" + Protocol.HEARTBEAT + "\",\"ts\":";

    private final JsonProvider json = JsonProvider.provider();
    private final int maxDepth;
    private final JsonParserFactory parsers = json.createParserFactory(Map.of());

    /** @param maxDepth deepest JSON nesting accepted; deeper input is {@link Inbound.Invalid} */
    public MessageCodec(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    /** A codec with the default depth bound. */
    public MessageCodec() {
        this((int) (long) (Long) Setting.MAX_JSON_DEPTH.defaultValue);
    }

    /**
     * The nesting depth of JSON text, counting brackets outside strings, stopping as soon as it
     * passes {@code limit}: deep input costs no parser recursion.
     */
    static int depth(String text, int limit) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > max && (max = depth) > limit) {
                    return max;
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    /** A close reason carrying a reconnect hint: {@code {"reason":"…","retryAfterMs":n}}. */
    static String closeReason(String reason, long retryAfterMs) {
        return "{\"reason\":\"" + reason + "\",\"retryAfterMs\":" + retryAfterMs + "}";
    }

    /** Never throws: whatever the text, the answer is an {@link Inbound}. */
    public Inbound decode(String text) {
        if (Protocol.TEXT_HEARTBEAT.equals(text)) {
            return new Inbound.TextHeartbeat();
        }
        if (Protocol.TEXT_PING.equals(text)) {
            return new Inbound.TextPing();
        }
        Inbound.Heartbeat heartbeat = canonicalHeartbeat(text);
        if (heartbeat != null) {
            return heartbeat;
        }
        if (depth(text, maxDepth) > maxDepth) {
            return new Inbound.Invalid("JSON nested deeper than " + maxDepth + " levels");
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
        return switch (typeName) {
            case Protocol.HEARTBEAT -> decodeHeartbeat(message);
            case Protocol.SUBSCRIBE, Protocol.UNSUBSCRIBE -> decodeSubscription(typeName, message);
            case Protocol.MESSAGE -> decodeMessage(message);
            case Protocol.DISCONNECT_REPORT -> decodeReport(message);
            default -> new Inbound.Invalid("unknown type '" + abbreviate(typeName) + "'");
        };
    }

    /**
     * The heartbeat exactly as Pulse's clients write it, {@code {"type":"heartbeat","ts":n}} with
     * n a non-negative integer of at most 18 digits, read without a parser (it is most of what
     * clients send, and the parser's objects are most of its cost); null for any other text,
     * which takes the general path and gets the same answer there.
     */
    private Inbound.Heartbeat canonicalHeartbeat(String text) {
        int start = CANONICAL_HEARTBEAT_PREFIX.length();
        int end = text.length() - 1; // the closing brace
        if (end <= start || end - start > 18 || text.charAt(end) != '}' || !text.startsWith(CANONICAL_HEARTBEAT_PREFIX)
                || (text.charAt(start) == '0' && end - start > 1)) {
            return null;
        }
        long ts = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            ts = ts * 10 + (c - '0');
        }
        return new Inbound.Heartbeat(json.createValue(ts));
    }

    private static Inbound decodeSubscription(String typeName, JsonObject message) {
        JsonValue topic = message.get("topic");
        if (topic == null || topic.getValueType() != JsonValue.ValueType.STRING) {
            return new Inbound.Invalid("field 'topic' must be a string");
        }
        String name = message.getString("topic");
        if (!Protocol.TOPIC_NAME.matcher(name).matches()) {
            return new Inbound.Invalid(Protocol.ERROR_BAD_TOPIC, Protocol.TOPIC_RULE);
        }
        if (Protocol.UNSUBSCRIBE.equals(typeName)) {
            return new Inbound.Unsubscribe(name);
        }
        JsonValue presence = message.get("presence");
        boolean withPresence;
        if (presence == null || presence == JsonValue.NULL || presence == JsonValue.FALSE) {
            withPresence = false;
        } else if (presence == JsonValue.TRUE) {
            withPresence = true;
        } else {
            return new Inbound.Invalid("field 'presence' must be a boolean");
        }
        JsonValue since = message.get("since");
        if (since == null || since == JsonValue.NULL) {
            return new Inbound.Subscribe(name, withPresence, null);
        }
        if (since.getValueType() != JsonValue.ValueType.OBJECT) {
            return new Inbound.Invalid("field 'since' must be an object with 'epoch' and 'seq'");
        }
        JsonObject s = since.asJsonObject();
        JsonValue epoch = s.get("epoch");
        JsonValue seq = s.get("seq");
        if (epoch == null || epoch.getValueType() != JsonValue.ValueType.STRING || seq == null
                || seq.getValueType() != JsonValue.ValueType.NUMBER || !((JsonNumber) seq).isIntegral()
                || ((JsonNumber) seq).longValue() < 0) {
            return new Inbound.Invalid("field 'since' must be an object with 'epoch' and 'seq'");
        }
        return new Inbound.Subscribe(name, withPresence, new TopicRegistry.Since(s.getString("epoch"), ((JsonNumber) seq).longValue()));
    }

    private static Inbound decodeReport(JsonObject message) {
        JsonValue cause = message.get("cause");
        if (cause == null || cause.getValueType() != JsonValue.ValueType.STRING
                || !Protocol.REPORT_CAUSES.contains(message.getString("cause"))) {
            return new Inbound.Invalid("field 'cause' must be one of " + String.join(", ", new TreeSet<>(Protocol.REPORT_CAUSES)));
        }
        JsonValue code = message.get("code");
        if (code != null && (code.getValueType() != JsonValue.ValueType.NUMBER || !((JsonNumber) code).isIntegral())) {
            return new Inbound.Invalid("field 'code' must be a whole number");
        }
        JsonValue downtime = message.get("downtimeMs");
        if (downtime != null && (downtime.getValueType() != JsonValue.ValueType.NUMBER || ((JsonNumber) downtime).doubleValue() < 0)) {
            return new Inbound.Invalid("field 'downtimeMs' must be a number of at least 0");
        }
        return new Inbound.DisconnectReport(message.getString("cause"),
                code == null ? 0 : ((JsonNumber) code).intValue(),
                downtime == null ? -1 : ((JsonNumber) downtime).longValue());
    }

    private static Inbound decodeMessage(JsonObject message) {
        JsonValue topic = message.get("topic");
        String name = null;
        if (topic != null && topic.getValueType() != JsonValue.ValueType.NULL) {
            if (topic.getValueType() != JsonValue.ValueType.STRING) {
                return new Inbound.Invalid("field 'topic' must be a string");
            }
            name = message.getString("topic");
            if (!Protocol.TOPIC_NAME.matcher(name).matches()) {
                return new Inbound.Invalid(Protocol.ERROR_BAD_TOPIC, Protocol.TOPIC_RULE);
            }
        }
        return new Inbound.Message(name, message.getOrDefault("data", JsonValue.NULL));
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

    /**
     * {@code ts} is echoed exactly as the client wrote it; null leaves it out. Sized for two
     * 13-digit times (≈ 70 chars), so the builder never grows on this per-heartbeat path.
     */
    public String heartbeatAck(JsonNumber ts, long serverTime) {
        StringBuilder sb = new StringBuilder(96).append("{\"type\":\"").append(Protocol.HEARTBEAT_ACK).append('"');
        if (ts != null) {
            sb.append(",\"ts\":").append(ts);
        }
        return sb.append(",\"serverTime\":").append(serverTime).append('}').toString();
    }

    public String time(long serverTime, long seq) {
        return "{\"type\":\"" + Protocol.TIME + "\",\"serverTime\":" + serverTime
                + ",\"iso\":\"" + ISO_MILLIS.format(Instant.ofEpochMilli(serverTime)) + "\",\"seq\":" + seq + "}";
    }

    /**
     * {@code recovered} -1 leaves it out (not a resume); {@code members} null leaves the member
     * list out (no presence asked).
     */
    public String subscribed(String topic, String epoch, long seq, int recovered, List<Member> members) {
        JsonObjectBuilder b = json.createObjectBuilder().add("type", Protocol.SUBSCRIBED).add("topic", topic)
                .add("epoch", epoch).add("seq", seq);
        if (recovered >= 0) {
            b.add("recovered", recovered);
        }
        if (members != null) {
            JsonArrayBuilder list = json.createArrayBuilder();
            members.forEach(m -> list.add(member(m)));
            b.add("members", list);
        }
        return b.build().toString();
    }

    /** The messages a resuming client missed are gone: {@code reason} {@code epoch} or {@code history}. */
    public String gap(String topic, String epoch, long seq, String reason) {
        return json.createObjectBuilder().add("type", Protocol.GAP).add("topic", topic).add("epoch", epoch)
                .add("seq", seq).add("reason", reason).build().toString();
    }

    public String unsubscribed(String topic) {
        return json.createObjectBuilder().add("type", Protocol.UNSUBSCRIBED).add("topic", topic).build().toString();
    }

    public String presence(String topic, String event, Member member) {
        return json.createObjectBuilder().add("type", Protocol.PRESENCE).add("topic", topic)
                .add("event", event).add("member", member(member)).build().toString();
    }

    private JsonObjectBuilder member(Member member) {
        JsonObjectBuilder b = json.createObjectBuilder().add("sessionId", member.sessionId()).add("node", member.node());
        if (member.user() != null) {
            b.add("user", member.user());
        }
        return b;
    }

    /**
     * A server message; {@code topic} null for a broadcast to every session or a message to one
     * session, {@code seq} 0 to leave it out (messages to one session carry none).
     */
    public String message(String topic, JsonValue data, long seq) {
        return message(topic, data.toString(), seq);
    }

    /** {@link #message(String, JsonValue, long)} with data already written as JSON text. */
    public String message(String topic, String dataJson, long seq) {
        StringBuilder sb = new StringBuilder(64 + 16).append("{\"type\":\"").append(Protocol.MESSAGE).append('"');
        if (topic != null) {
            sb.append(",\"topic\":").append(json.createValue(topic));
        }
        sb.append(",\"data\":").append(dataJson);
        if (seq > 0) {
            sb.append(",\"seq\":").append(seq);
        }
        return sb.append('}').toString();
    }

    public String error(String code, String message) {
        return json.createObjectBuilder()
                .add("type", Protocol.ERROR)
                .add("code", code)
                .add("message", message)
                .build().toString();
    }
}
