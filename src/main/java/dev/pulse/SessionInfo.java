package dev.pulse;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A snapshot of one session, taken when it was asked for.
 *
 * @param id            the session id, as in the client's {@code welcome}
 * @param user          the authenticated user's name at the handshake, or null
 * @param remoteAddress the client's address as the container saw it, or null where unknown
 * @param connectedAt   when the session opened
 * @param lastSeen      when the last frame of any kind arrived from the client
 * @param rtt           round-trip time of the last answered ping, or null before the first pong
 * @param topics        the topics the session is subscribed to
 */
public record SessionInfo(String id, String user, String remoteAddress, Instant connectedAt, Instant lastSeen,
                          Duration rtt, Set<String> topics) {
}
