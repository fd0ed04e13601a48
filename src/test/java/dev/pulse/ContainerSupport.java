package dev.pulse;

import java.io.File;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * For the ITs on real containers: test deployments built from the WAR that {@code mvn package}
 * made (short {@link TestSettings} as web.xml context-params), and HTTP helpers. Which container
 * runs is chosen per failsafe execution ({@code -Darquillian.launch}).
 */
final class ContainerSupport {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ContainerSupport() {
    }

    /** "tomcat" or "tomee", set per failsafe execution. */
    static String container() {
        return System.getProperty("pulse.it.container", "unknown");
    }

    /** The packaged WAR as {@code pulse.war} (context /pulse) with the test settings. */
    static WebArchive pulseWar() {
        return pulseWar("pulse.war", TestSettings.PROPERTIES);
    }

    static WebArchive pulseWar(String archiveName, Map<String, String> contextParams) {
        File war = new File(System.getProperty("pulse.war", "target/pulse.war"));
        if (!war.isFile()) {
            throw new IllegalStateException(war + " is missing: the ITs deploy the packaged WAR (run mvn verify)");
        }
        WebArchive archive = ShrinkWrap.create(ZipImporter.class, archiveName).importFrom(war).as(WebArchive.class);
        return withContextParams(archive, contextParams);
    }

    /** The Pulse classes jar that {@code mvn package} attached, for host-application archives. */
    static File pulseClassesJar() {
        File jar = new File(System.getProperty("pulse.classes.jar", "target/pulse-classes.jar"));
        if (!jar.isFile()) {
            throw new IllegalStateException(jar + " is missing: run mvn verify");
        }
        return jar;
    }

    /** The jars Pulse needs at run time (JSON-P, Micrometer, …), as Maven resolved them for this build. */
    static File[] pulseRuntimeLibraries() {
        File list = new File(System.getProperty("pulse.runtime.classpath", "target/pulse-runtime-classpath.txt"));
        try {
            String text = java.nio.file.Files.readString(list.toPath()).trim();
            return java.util.Arrays.stream(text.split(File.pathSeparator)).map(File::new).toArray(File[]::new);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(list + " is missing: run mvn verify", e);
        }
    }

    /** Sets (replaces or adds) context-params in the archive's WEB-INF/web.xml. */
    static WebArchive withContextParams(WebArchive archive, Map<String, String> params) {
        if (params.isEmpty()) {
            return archive;
        }
        try (InputStream in = archive.get("WEB-INF/web.xml").getAsset().openStream()) {
            DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            Document doc = dbf.newDocumentBuilder().parse(in);
            Element root = doc.getDocumentElement();
            String ns = root.getNamespaceURI();
            params.forEach((name, value) -> {
                Element valueEl = findParamValue(root, ns, name);
                if (valueEl == null) {
                    Element cp = doc.createElementNS(ns, "context-param");
                    Element n = doc.createElementNS(ns, "param-name");
                    n.setTextContent(name);
                    valueEl = doc.createElementNS(ns, "param-value");
                    cp.appendChild(n);
                    cp.appendChild(valueEl);
                    root.insertBefore(cp, root.getFirstChild());
                }
                valueEl.setTextContent(value);
            });
            StringWriter out = new StringWriter();
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.transform(new DOMSource(doc), new StreamResult(out));
            archive.delete("WEB-INF/web.xml");
            return archive.setWebXML(new StringAsset(out.toString()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot rewrite web.xml of " + archive.getName(), e);
        }
    }

    private static Element findParamValue(Element root, String ns, String name) {
        NodeList params = root.getElementsByTagNameNS(ns, "context-param");
        for (int i = 0; i < params.getLength(); i++) {
            Element cp = (Element) params.item(i);
            Element n = (Element) cp.getElementsByTagNameNS(ns, "param-name").item(0);
            if (n != null && name.equals(n.getTextContent().trim())) {
                return (Element) cp.getElementsByTagNameNS(ns, "param-value").item(0);
            }
        }
        return null;
    }

    static URI http(URL base, String path) {
        return URI.create(base.toExternalForm()).resolve(path);
    }

    static URI ws(URL base, String path) {
        return URI.create(http(base, path).toString().replaceFirst("^http", "ws"));
    }

    static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code sessions} from GET …/api/status. */
    static int openSessions(URL base) throws Exception {
        HttpResponse<String> status = get(http(base, "api/status"));
        if (status.statusCode() != 200) {
            throw new IllegalStateException("status answered " + status.statusCode() + ": " + status.body());
        }
        return TestClient.json(status.body()).getInt("sessions");
    }
}
