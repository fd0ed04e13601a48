package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HandshakePolicyTest {

    private static HandshakePolicy policy(Setting s1, Object v1, Setting s2, Object v2) {
        PulseSettings settings = PulseSettings.defaults();
        if (s1 != null) {
            settings = settings.with(s1, v1);
        }
        if (s2 != null) {
            settings = settings.with(s2, v2);
        }
        return new HandshakePolicy(settings);
    }

    private static HandshakePolicy.Decision decide(HandshakePolicy policy, String origin, String host) {
        return policy.decide(new HandshakePolicy.Request(origin, host, null, "10.0.0.9", null), 0, a -> 0);
    }

    @ParameterizedTest(name = "origin {0} host {1} -> {2}")
    @CsvSource(nullValues = "NONE", value = {
            "http://localhost:8080, localhost:8080, 0",
            "HTTP://LocalHost:8080, localhost:8080, 0",
            "https://example.com, example.com, 0",
            "https://example.com, example.com:443, 0",
            "http://example.com:80, example.com, 0",
            "https://example.com:8443, example.com:8443, 0",
            "http://evil.example, localhost:8080, 403",
            "http://localhost:8081, localhost:8080, 403",
            "http://localhost, localhost:8080, 403",
            "null, localhost:8080, 403",
            "not a url, localhost:8080, 403",
            "NONE, localhost:8080, 0",
    })
    void sameOriginByDefault(String origin, String host, int status) {
        assertEquals(status, decide(policy(null, null, null, null), origin, host).status());
    }

    @Test
    void allowListAndWildcard() {
        HandshakePolicy listed = policy(Setting.ALLOWED_ORIGINS, "https://app.example.com, https://admin.example.com", null, null);
        assertEquals(0, decide(listed, "https://admin.example.com", "ws.example.com").status());
        assertEquals(403, decide(listed, "https://ws.example.com", "ws.example.com").status(), "only the list counts");
        assertEquals(403, decide(listed, "null", "ws.example.com").status());
        HandshakePolicy any = policy(Setting.ALLOWED_ORIGINS, "*", null, null);
        assertEquals(0, decide(any, "https://anything.example", "ws.example.com").status());
        assertEquals(403, decide(any, "null", "ws.example.com").status(), "a sandboxed page is not 'any origin'");
    }

    @Test
    void originCanBeRequired() {
        HandshakePolicy strict = policy(Setting.REQUIRE_ORIGIN, true, null, null);
        HandshakePolicy.Decision d = decide(strict, null, "localhost:8080");
        assertEquals(403, d.status());
        assertEquals("an Origin header is required", d.reason());
    }

    @Test
    void capsRefuseWith503And429() {
        HandshakePolicy capped = policy(Setting.MAX_SESSIONS, 10, Setting.MAX_SESSIONS_PER_ADDRESS, 2);
        HandshakePolicy.Request r = new HandshakePolicy.Request(null, "h", null, "10.0.0.9", null);
        assertEquals(0, capped.decide(r, 9, a -> 1).status());
        assertEquals(503, capped.decide(r, 10, a -> 0).status());
        assertEquals(429, capped.decide(r, 5, a -> 2).status());
        assertEquals(0, policy(null, null, null, null).decide(r, 5, a -> 1_000_000).status(), "no per-address cap by default");
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        Map<String, Integer> open = Map.of("203.0.113.7", 2);
        HandshakePolicy trusting = policy(Setting.TRUSTED_PROXIES, "10.0.0.1, 10.0.0.2", Setting.MAX_SESSIONS_PER_ADDRESS, 2);
        HandshakePolicy.Decision viaProxies = trusting.decide(
                new HandshakePolicy.Request(null, "h", null, "10.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.2"), 0,
                a -> open.getOrDefault(a, 0));
        assertEquals("203.0.113.7", viaProxies.clientAddress(), "rightmost untrusted hop");
        assertEquals(429, viaProxies.status());

        HandshakePolicy.Decision spoofed = trusting.decide(
                new HandshakePolicy.Request(null, "h", null, "192.0.2.50", "203.0.113.99"), 0, a -> 0);
        assertEquals("192.0.2.50", spoofed.clientAddress(), "a direct client cannot claim another address");

        HandshakePolicy.Decision defaultOff = policy(null, null, null, null).decide(
                new HandshakePolicy.Request(null, "h", null, "10.0.0.1", "203.0.113.7"), 0, a -> 0);
        assertEquals("10.0.0.1", defaultOff.clientAddress());
    }

    @Test
    void forwardedHostCountsForSameOriginOnlyBehindATrustedProxy() {
        HandshakePolicy trusting = policy(Setting.TRUSTED_PROXIES, "10.0.0.1", null, null);
        assertEquals(0, trusting.decide(new HandshakePolicy.Request("https://public.example", "backend:8080",
                "public.example", "10.0.0.1", "203.0.113.7"), 0, a -> 0).status());
        assertEquals(403, trusting.decide(new HandshakePolicy.Request("https://public.example", "backend:8080",
                "public.example", "192.0.2.1", null), 0, a -> 0).status());
    }

    @Test
    void authorityDropsDefaultPorts() {
        assertEquals("example.com", HandshakePolicy.authority("https://example.com:443"));
        assertEquals("example.com:8443", HandshakePolicy.authority("https://example.com:8443"));
        assertNull(HandshakePolicy.authority("null"));
        assertTrue(HandshakePolicy.authority("http://[::1]:8080").contains("::1"));
    }
}
