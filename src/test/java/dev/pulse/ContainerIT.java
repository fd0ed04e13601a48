package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What differs between containers: the scheduler in use, the status endpoint, the served client. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerIT {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ContainerSupport.pulseWar();
    }

    @Test
    void statusNamesTheSchedulerOfThisContainer() throws Exception {
        HttpResponse<String> response = ContainerSupport.get(ContainerSupport.http(base, "api/status"));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonObject status = TestClient.json(response.body());
        JsonObject scheduler = status.getJsonObject("scheduler");
        switch (ContainerSupport.container()) {
            case "tomee" -> {
                assertEquals("managed", scheduler.getString("kind"), "TomEE must use the tomee.xml resource");
                assertEquals(PulseScheduler.JNDI_NAME, scheduler.getString("name"));
            }
            case "tomcat" -> {
                assertEquals("fallback", scheduler.getString("kind"));
                assertEquals("pulse-scheduler-N", scheduler.getString("name"));
            }
            default -> throw new AssertionError("unknown container " + ContainerSupport.container());
        }
        assertEquals(TestSettings.TIME_INTERVAL, status.getJsonObject("settings").getJsonNumber("timeInterval").longValue(),
                "the deployment's context-params are in effect");
        assertTrue(status.getJsonNumber("uptimeMs").longValue() >= 0);
    }

    @Test
    void servesTheBrowserClientAndTheDemoPage() throws Exception {
        HttpResponse<String> client = ContainerSupport.get(ContainerSupport.http(base, "js/pulse-client.js"));
        assertEquals(200, client.statusCode());
        assertTrue(client.body().contains("PulseClient"));
        HttpResponse<String> page = ContainerSupport.get(ContainerSupport.http(base, ""));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("pulse-client.js"), "the demo page loads the client");
    }

    @Test
    void metricsAreServedInPrometheusFormatAndSessionsApiIsOffByDefault() throws Exception {
        try (TestClient client = TestClient.connect(ContainerSupport.ws(base, "ws"))) {
            client.nextOfType("welcome", 5_000);
            HttpResponse<String> metrics = ContainerSupport.get(ContainerSupport.http(base, "metrics"));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(metrics.body().contains("pulse_sessions_open{app=\"/pulse\"} 1.0"), metrics.body());
            assertTrue(metrics.body().contains("pulse_sessions_opened_total"));
        }
        assertEquals(404, ContainerSupport.get(ContainerSupport.http(base, "api/sessions")).statusCode(),
                "session details are personal data: off unless sessionsApi=true");
    }

    @Test
    void theTestClasspathMatchesTheContainer() throws Exception {
        boolean tyrus = present("org.glassfish.tyrus.server.Server");
        boolean embeddedTomcat = present("org.apache.catalina.startup.Tomcat");
        boolean onTomcat = "tomcat".equals(ContainerSupport.container());
        assertEquals(onTomcat, embeddedTomcat, "embedded Tomcat only in the Tomcat execution");
        if (onTomcat) {
            assertTrue(!tyrus, "Tyrus must not be beside embedded Tomcat: two WebSocket implementations");
        }
    }

    @Test
    void aNonUpgradeRequestToTheEndpointIsNotAnError() throws Exception {
        HttpResponse<String> plain = ContainerSupport.get(ContainerSupport.http(base, "ws"));
        assertTrue(plain.statusCode() >= 400 && plain.statusCode() < 500, "got " + plain.statusCode());
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, ContainerIT.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
