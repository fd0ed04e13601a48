package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {

    private final MessageCodec codec = new MessageCodec();

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    @Test
    void heartbeatWithTimestamp() {
        Inbound.Heartbeat hb = assertInstanceOf(Inbound.Heartbeat.class, codec.decode("{\"type\":\"heartbeat\",\"ts\":1700000000123}"));
        assertEquals(1700000000123L, hb.ts().longValueExact());
    }

    @Test
    void heartbeatWithoutOrWithNullTimestamp() {
        assertNull(assertInstanceOf(Inbound.Heartbeat.class, codec.decode("{\"type\":\"heartbeat\"}")).ts());
        assertNull(assertInstanceOf(Inbound.Heartbeat.class, codec.decode("{\"type\":\"heartbeat\",\"ts\":null}")).ts());
    }

    @Test
    void plainTextFrames() {
        assertInstanceOf(Inbound.TextHeartbeat.class, codec.decode("heartbeat"));
        assertInstanceOf(Inbound.TextPing.class, codec.decode("ping"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{not json                        | malformed JSON",
            "''                               | malformed JSON",
            "{\"type\":\"heartbeat\"} trailing | malformed JSON",
            "[1,2]                            | message must be a JSON object",
            "42                               | message must be a JSON object",
            "{}                               | field 'type' must be a string",
            "{\"type\":7}                      | field 'type' must be a string",
            "{\"type\":\"dance\"}              | unknown type 'dance'",
            "{\"type\":\"heartbeat\",\"ts\":\"x\"} | field 'ts' must be a number",
            "{\"type\":\"heartbeat\",\"ts\":{}} | field 'ts' must be a number",
            "HEARTBEAT                        | malformed JSON",
    })
    void badInputSaysWhatWasWrong(String text, String problem) {
        assertEquals(problem, assertInstanceOf(Inbound.Invalid.class, codec.decode(text)).problem());
    }

    @Test
    void longUnknownTypeIsAbbreviated() {
        String type = "x".repeat(500);
        String problem = assertInstanceOf(Inbound.Invalid.class, codec.decode("{\"type\":\"" + type + "\"}")).problem();
        assertEquals("unknown type '" + "x".repeat(40) + "…'", problem);
    }

    @Test
    void ackEchoesTheTimestampExactly() {
        Inbound.Heartbeat hb = (Inbound.Heartbeat) codec.decode("{\"type\":\"heartbeat\",\"ts\":12.50}");
        assertEquals("{\"type\":\"heartbeat_ack\",\"ts\":12.50,\"serverTime\":99}", codec.heartbeatAck(hb.ts(), 99));
        assertEquals("{\"type\":\"heartbeat_ack\",\"serverTime\":99}", codec.heartbeatAck(null, 99));
    }

    /** The client's own heartbeat form is read without the parser; any text must get the parser's answer. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "7", "1700000000123", "999999999999999999", "9999999999999999999", "0123", "-5", "1e3",
            "12.50", "1 ", "\"12\"", "", "null", "123}", "1}{"})
    void theCanonicalHeartbeatIsAnsweredAsTheParserWould(String ts) {
        String canonical = "{\"type\":\"heartbeat\",\"ts\":" + ts + "}";
        String spaced = "{\"type\":\"heartbeat\", \"ts\":" + ts + "}"; // never the canonical form
        assertEquals(answer(spaced), answer(canonical));
    }

    private String answer(String text) {
        Inbound decoded = codec.decode(text);
        return decoded instanceof Inbound.Heartbeat hb ? codec.heartbeatAck(hb.ts(), 99) : decoded.toString();
    }

    @Test
    void timeCarriesIsoUtcAndSeq() {
        JsonObject time = parse(codec.time(1_700_000_000_000L, 7));
        assertEquals("time", time.getString("type"));
        assertEquals(1_700_000_000_000L, time.getJsonNumber("serverTime").longValueExact());
        assertEquals("2023-11-14T22:13:20.000Z", time.getString("iso"));
        assertEquals(7, time.getInt("seq"));
    }

    @Test
    void welcomeCarriesTheTimings() {
        PulseSettings s = PulseSettings.defaults().with(Setting.HEARTBEAT_INTERVAL, 1234).with(Setting.TIME_INTERVAL, 500);
        JsonObject w = parse(codec.welcome("abc", s, 42));
        assertEquals("welcome", w.getString("type"));
        assertEquals("abc", w.getString("sessionId"));
        assertEquals(1, w.getInt("protocol"));
        assertEquals(1234, w.getInt("heartbeatInterval"));
        assertEquals(10_000, w.getInt("heartbeatTimeout"));
        assertEquals(500, w.getInt("timeInterval"));
        assertEquals(42, w.getInt("serverTime"));
    }

    @Test
    void errorTextIsEscaped() {
        JsonObject e = parse(codec.error("bad_message", "unknown type '\"}\\'"));
        assertEquals("error", e.getString("type"));
        assertEquals("bad_message", e.getString("code"));
        assertEquals("unknown type '\"}\\'", e.getString("message"));
    }

    @Test
    void deepNestingIsRefusedBeforeParsing() {
        MessageCodec shallow = new MessageCodec(4);
        assertInstanceOf(Inbound.Message.class, shallow.decode("{\"type\":\"message\",\"data\":[[[1]]]}"));
        assertEquals("JSON nested deeper than 4 levels",
                assertInstanceOf(Inbound.Invalid.class, shallow.decode("{\"type\":\"message\",\"data\":[[[[1]]]]}")).problem());
        assertInstanceOf(Inbound.Message.class, shallow.decode("{\"type\":\"message\",\"data\":\"[[[[[[\\\"]]]]\"}"),
                "brackets and escaped quotes inside strings do not count");
        String bomb = "[".repeat(100_000);
        assertEquals("JSON nested deeper than 16 levels", assertInstanceOf(Inbound.Invalid.class, codec.decode(bomb)).problem());
    }

    @Test
    void closeReasonCarriesTheRetryHint() {
        JsonObject reason = parse(MessageCodec.closeReason("server shutdown", 1234));
        assertEquals("server shutdown", reason.getString("reason"));
        assertEquals(1234, reason.getInt("retryAfterMs"));
    }
}
