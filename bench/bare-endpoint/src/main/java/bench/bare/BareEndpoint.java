package bench.bare;

import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The smallest useful endpoint, Tomcat defaults for everything: one short text frame on open (so
 * that, like any pushing server, its send path has been used once) and an echo of every text
 * message. The memory probe compares Pulse's heap per idle session with this one's.
 */
@ServerEndpoint("/ws")
public class BareEndpoint {

    @OnOpen
    public void open(Session session) {
        session.getAsyncRemote().sendText("{\"type\":\"welcome\"}");
    }

    @OnMessage
    public String echo(String text) {
        return text;
    }
}
