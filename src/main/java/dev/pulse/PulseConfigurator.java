package dev.pulse;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Handshake hook of the Pulse endpoint. The Jakarta WebSocket API does not expose the client's
 * address, so {@link RemoteAddressFilter} captures it for the request thread and this configurator
 * copies it into the session's user properties (per session: containers copy the config for each
 * handshake).
 */
public class PulseConfigurator extends ServerEndpointConfig.Configurator {

    static final String REMOTE_ADDRESS = "dev.pulse.remoteAddress";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        String address = RemoteAddressFilter.currentRemoteAddress();
        if (address != null) {
            config.getUserProperties().put(REMOTE_ADDRESS, address);
        }
    }

    /** The address captured at the handshake, or null where no filter ran (e.g. Tyrus in tests). */
    static String remoteAddress(Session session) {
        return session.getUserProperties().get(REMOTE_ADDRESS) instanceof String address ? address : null;
    }
}
