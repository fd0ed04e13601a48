package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pulse.testapp.TokenCheck;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handshake guard on real containers: Origin check (403), the application's token check
 * (4401, and the user it names), the session cap (503), and an oversized message (1009).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeIT {

    private static final long PROMPT = 5_000;
    private static final int MAX_SESSIONS = 3;

    @ArquillianResource
    private URL base;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive guarded() {
        Map<String, String> params = new HashMap<>(TestSettings.PROPERTIES);
        params.put(Setting.MAX_SESSIONS.propertyName(), Integer.toString(MAX_SESSIONS));
        return ContainerSupport.pulseWar("pulse.war", params).addClass(TokenCheck.class);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        Await.equal("open sessions", 0, PROMPT, () -> {
            try {
                return ContainerSupport.openSessions(base);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private URI endpoint(String token) {
        return ContainerSupport.ws(base, token == null ? "ws" : "ws?access_token=" + token);
    }

    private String ownOrigin() {
        return base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
    }

    private TestClient connect(URI uri, String... subprotocols) throws InterruptedException {
        TestClient client = TestClient.connect(uri, subprotocols);
        opened.add(client);
        return client;
    }

    private HostilePeer raw(URI uri, Map<String, String> headers) throws Exception {
        HostilePeer peer = HostilePeer.upgradeWith(uri, headers);
        opened.add(peer);
        return peer;
    }

    @Test
    void foreignAndNullOriginsAreRefusedBeforeTheUpgrade() throws Exception {
        HostilePeer.Refused foreign = assertThrows(HostilePeer.Refused.class,
                () -> raw(endpoint(TokenCheck.TOKEN), Map.of("Origin", "https://evil.example")));
        assertEquals(403, foreign.status(), foreign.response);
        HostilePeer.Refused sandboxed = assertThrows(HostilePeer.Refused.class,
                () -> raw(endpoint(TokenCheck.TOKEN), Map.of("Origin", "null")));
        assertEquals(403, sandboxed.status());

        HostilePeer sameSite = raw(endpoint(TokenCheck.TOKEN), Map.of("Origin", ownOrigin()));
        assertTrue(sameSite.handshakeResponse.startsWith("HTTP/1.1 101"));
        Await.equal("open sessions", 1, PROMPT, () -> sessions());
    }

    @Test
    void theApplicationsTokenCheckDecidesAndNamesTheUser() throws Exception {
        TestClient noToken = connect(endpoint(null));
        assertEquals(4401, noToken.closed.get(PROMPT, TimeUnit.MILLISECONDS).code());
        TestClient wrong = connect(endpoint("guess"));
        assertEquals(4401, wrong.closed.get(PROMPT, TimeUnit.MILLISECONDS).code());

        TestClient viaQuery = connect(endpoint(TokenCheck.TOKEN));
        viaQuery.nextOfType("welcome", PROMPT);
        viaQuery.send("{\"type\":\"subscribe\",\"topic\":\"who\",\"presence\":true}");
        JsonObject subscribed = viaQuery.nextOfType("subscribed", PROMPT);
        assertEquals("alice", subscribed.getJsonArray("members").getJsonObject(0).getString("user"));

        TestClient viaSubprotocol = connect(endpoint(null), Protocol.SUBPROTOCOL, "access_token." + TokenCheck.TOKEN);
        viaSubprotocol.nextOfType("welcome", PROMPT);
        assertEquals(Protocol.SUBPROTOCOL, viaSubprotocol.subprotocol());
    }

    @Test
    void handshakesPastTheSessionCapGet503() throws Exception {
        for (int i = 0; i < MAX_SESSIONS; i++) {
            connect(endpoint(TokenCheck.TOKEN)).nextOfType("welcome", PROMPT);
        }
        HostilePeer.Refused full = assertThrows(HostilePeer.Refused.class, () -> raw(endpoint(TokenCheck.TOKEN), Map.of()));
        assertEquals(503, full.status(), full.response);
        assertTrue(full.response.toLowerCase().contains("retry-after:"), full.response);
    }

    @Test
    void anOversizedMessageIsClosedWith1009AndOthersStay() throws Exception {
        TestClient bystander = connect(endpoint(TokenCheck.TOKEN));
        bystander.nextOfType("welcome", PROMPT);
        HostilePeer big = raw(endpoint(TokenCheck.TOKEN), Map.of());
        big.sendText("{\"type\":\"message\",\"data\":\"" + "x".repeat(1_000_000) + "\"}");
        assertEquals(1009, big.awaitCloseCode((int) PROMPT));
        bystander.send("{\"type\":\"heartbeat\",\"ts\":7}");
        assertEquals(7, bystander.nextOfType("heartbeat_ack", PROMPT).getInt("ts"));
        Await.equal("open sessions", 1, PROMPT, () -> sessions());
    }

    private int sessions() {
        try {
            return ContainerSupport.openSessions(base);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
