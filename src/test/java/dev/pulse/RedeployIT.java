package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pulse.testapp.LeakyListener;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploy and undeploy five times in one embedded Tomcat: clients get 1001 with a retry hint, no
 * Pulse thread survives and Tomcat logs no leak. Needs Tomcat in this JVM, hence {@code tomcat-only}
 * (excluded in the TomEE execution). Arquillian cannot inject the URL of a managed=false deployment
 * before it is deployed, so the URL is built from the reserved port.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Tag("tomcat-only")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedeployIT {

    private static final String APP = "redeploy";
    private static final String LEAKY = "leaky";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive app() {
        return ContainerSupport.pulseWar();
    }

    @Deployment(name = LEAKY, managed = false, testable = false)
    static WebArchive leaky() {
        return ContainerSupport.pulseWar("pulse-leaky.war", TestSettings.PROPERTIES).addClass(LeakyListener.class);
    }

    private static URI endpoint() {
        return URI.create("ws://localhost:" + Integer.getInteger("pulse.it.tomcat.port") + "/pulse/ws");
    }

    static List<String> pulseThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("pulse-")).sorted().toList();
    }

    @Test
    void fiveRedeploysCloseClientsWith1001AndLeaveNothingRunning() throws Exception {
        try (LoaderLogCapture log = LoaderLogCapture.install()) {
            for (int i = 1; i <= 5; i++) {
                deployer.deploy(APP);
                assertFalse(pulseThreads().isEmpty(), "the fallback scheduler runs while deployed");
                List<TestClient> clients = List.of(TestClient.connect(endpoint()), TestClient.connect(endpoint()));
                for (TestClient c : clients) {
                    c.nextOfType("welcome", 5_000);
                }

                deployer.undeploy(APP);

                for (TestClient c : clients) {
                    TestClient.Closed closed = c.closed.get(10, TimeUnit.SECONDS);
                    assertEquals(1001, closed.code(), "close code on undeploy #" + i);
                    JsonObject reason = TestClient.json(closed.reason());
                    assertEquals("server shutdown", reason.getString("reason"));
                    assertTrue(reason.getJsonNumber("retryAfterMs").longValue() >= 0);
                    c.close();
                }
                assertEquals(List.of(), pulseThreads(), "threads after undeploy #" + i);
            }
            assertEquals(List.of(), log.leaks(), "Tomcat leak warnings");
        }
    }

    /** Negative control: the log capture does see a real leak. */
    @Test
    void leakDetectorSeesALeakedThread() throws Exception {
        try (LoaderLogCapture log = LoaderLogCapture.install()) {
            deployer.deploy(LEAKY);
            deployer.undeploy(LEAKY);
            assertTrue(log.leaks().stream().anyMatch(m -> m.contains("[pulse-leak]")), "captured: " + log.all());
        }
        Await.until("the leaked test thread to end by itself", 10_000, () -> pulseThreads().isEmpty());
    }
}
