package dev.pulse;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Handshake hook of the Pulse endpoint: copies what {@link HandshakeFilter} established (client
 * address, token user, refusal) into the session's user properties. Containers copy the endpoint
 * config for each handshake, so these are per session.
 */
public class PulseConfigurator extends ServerEndpointConfig.Configurator {

    static final String HANDSHAKE = "dev.pulse.handshake";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        HandshakeFilter.Handshake handshake = HandshakeFilter.current();
        if (handshake != null) {
            config.getUserProperties().put(HANDSHAKE, handshake);
        }
    }

    /** What the filter established, or null where no filter ran (e.g. Tyrus in tests). */
    static HandshakeFilter.Handshake handshake(Session session) {
        return session.getUserProperties().get(HANDSHAKE) instanceof HandshakeFilter.Handshake h ? h : null;
    }
}
