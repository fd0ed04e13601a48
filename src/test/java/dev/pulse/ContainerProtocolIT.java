package dev.pulse;

import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** The protocol suite against the deployed pulse.war, on Tomcat 11 and on TomEE 9 (one failsafe execution each). */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ContainerProtocolIT extends ProtocolContract {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ContainerSupport.pulseWar();
    }

    @Override
    protected URI endpoint() {
        return ContainerSupport.ws(base, "ws");
    }

    @Override
    protected int openSessions() throws Exception {
        return ContainerSupport.openSessions(base);
    }
}
