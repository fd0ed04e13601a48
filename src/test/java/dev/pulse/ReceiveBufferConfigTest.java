package dev.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The WAR's web.xml gives Tomcat the same small receive buffers the endpoint sets per session. */
class ReceiveBufferConfigTest {

    private static int contextParam(String webXml, String name) {
        Matcher m = Pattern.compile("<param-name>" + Pattern.quote(name) + "</param-name>\\s*<param-value>(\\d+)</param-value>")
                .matcher(webXml);
        if (!m.find()) {
            throw new AssertionError("web.xml has no context-param " + name);
        }
        return Integer.parseInt(m.group(1));
    }

    @Test
    void webXmlBuffersMatchTheEndpoints() throws Exception {
        String webXml = Files.readString(Path.of("src/main/webapp/WEB-INF/web.xml"));
        assertEquals(PulseEndpoint.TEXT_PART_CHARS, contextParam(webXml, "org.apache.tomcat.websocket.textBufferSize"));
        assertEquals(PulseEndpoint.BINARY_PART_BYTES, contextParam(webXml, "org.apache.tomcat.websocket.binaryBufferSize"));
    }
}
