package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PulseSettingsTest {

    private static PulseSettings load(Map<String, String> context, Map<String, String> system, Map<String, String> env) {
        return PulseSettings.load(context::get, system::get, env::get);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PulseSettings s = load(Map.of(), Map.of(), Map.of());
        assertEquals(25_000, s.pingInterval());
        assertEquals(10_000, s.pongTimeout());
        assertEquals(10_000, s.timeInterval());
        assertEquals(25_000, s.heartbeatInterval());
        assertEquals(10_000, s.heartbeatTimeout());
        assertEquals(35_000, s.silenceLimit());
    }

    @Test
    void environmentBeatsSystemPropertyBeatsContextParam() {
        PulseSettings s = load(
                Map.of("pulse.timeInterval", "3000", "pulse.pingInterval", "4000", "pulse.pongTimeout", "5000"),
                Map.of("pulse.timeInterval", "2000", "pulse.pingInterval", "4500"),
                Map.of("PULSE_TIME_INTERVAL", "1000"));
        assertEquals(1000, s.timeInterval());
        assertEquals(4500, s.pingInterval());
        assertEquals(5000, s.pongTimeout());
    }

    @Test
    void namesFollowTheConvention() {
        assertEquals("pulse.heartbeatTimeout", Setting.HEARTBEAT_TIMEOUT.propertyName());
        assertEquals("PULSE_HEARTBEAT_TIMEOUT", Setting.HEARTBEAT_TIMEOUT.environmentName());
        assertEquals("PULSE_TIME_INTERVAL", Setting.TIME_INTERVAL.environmentName());
    }

    @Test
    void badValueNamesTheSettingAndItsSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(Map.of(), Map.of(), Map.of("PULSE_PING_INTERVAL", "soon")));
        assertTrue(e.getMessage().contains("pulse.pingInterval"), e.getMessage());
        assertTrue(e.getMessage().contains("PULSE_PING_INTERVAL"), e.getMessage());
        assertTrue(e.getMessage().contains("'soon'"), e.getMessage());
    }

    @Test
    void outOfRangeValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> load(Map.of("pulse.timeInterval", "0"), Map.of(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> load(Map.of(), Map.of("pulse.pongTimeout", "-5"), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> PulseSettings.defaults().with(Setting.PING_INTERVAL, 1));
    }

    @Test
    void whitespaceAroundANumberIsAccepted() {
        assertEquals(1500, load(Map.of("pulse.timeInterval", " 1500\n"), Map.of(), Map.of()).timeInterval());
    }
}
