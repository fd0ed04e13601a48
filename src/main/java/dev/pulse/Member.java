package dev.pulse;

/**
 * One member of a topic as presence shows it, on this node or another.
 *
 * @param sessionId the session id, unique on its node
 * @param user      the authenticated user's name, or null
 * @param node      the id of the node the session is connected to
 */
public record Member(String sessionId, String user, String node) {
}
