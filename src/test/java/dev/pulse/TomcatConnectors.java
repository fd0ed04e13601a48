package dev.pulse;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.util.Set;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Extra connectors on the embedded Tomcat that runs the ITs in this JVM, added through its JMX
 * beans (the same calls an operator can make): they serve the same web apps on another port.
 */
final class TomcatConnectors {

    private TomcatConnectors() {
    }

    /**
     * Adds an HTTP connector with {@code useAsyncIO="false"} on a free loopback port and returns
     * {@code base} with that port. Tomcat fixes a connection's write path when it accepts it, so the
     * attribute set right after the connector starts holds for every connection it will accept.
     */
    static URL addWithoutAsyncIo(URL base) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> services = server.queryNames(new ObjectName("*:type=Service"), null);
        if (services.size() != 1) {
            throw new IllegalStateException("expected one Tomcat service in this JVM, found " + services);
        }
        ObjectName service = services.iterator().next();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        server.invoke(service, "addConnector", new Object[] {"127.0.0.1", port, false, false},
                new String[] {String.class.getName(), int.class.getName(), boolean.class.getName(), boolean.class.getName()});
        Set<ObjectName> connectors = server.queryNames(
                new ObjectName(service.getDomain() + ":type=Connector,port=" + port + ",*"), null);
        if (connectors.size() != 1) {
            throw new IllegalStateException("the connector on port " + port + " did not register: " + connectors);
        }
        ObjectName connector = connectors.iterator().next();
        server.setAttribute(connector, new Attribute("useAsyncIO", "false"));
        if (!"false".equals(String.valueOf(server.getAttribute(connector, "useAsyncIO")))) {
            throw new IllegalStateException("useAsyncIO did not take on " + connector);
        }
        URI uri = base.toURI();
        return new URI(uri.getScheme(), null, "127.0.0.1", port, uri.getPath(), null, null).toURL();
    }
}
