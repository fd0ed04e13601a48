package dev.pulse;

/**
 * The application's check of an access token presented at the WebSocket handshake, as the query
 * parameter {@code access_token} or a {@code Sec-WebSocket-Protocol} entry
 * {@code access_token.<token>}. Called on the handshake's request thread.
 */
@FunctionalInterface
public interface TokenVerifier {
    /**
     * @param token the presented token, or null when the client presented none
     * @return the user name the token stands for, or null to refuse the client (it is closed
     *         with 4401 right after the upgrade)
     */
    String verify(String token);
}
