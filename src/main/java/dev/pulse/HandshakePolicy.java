package dev.pulse;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * Who may open a WebSocket: the Origin check, the client address behind trusted proxies, and the
 * session caps. Pure decisions from request facts, so the rules are tested without a container;
 * {@link HandshakeFilter} applies them.
 */
final class HandshakePolicy {

    /** What the handshake request says, as far as the policy cares. */
    record Request(String origin, String host, String forwardedHost, String remoteAddr, String forwardedFor) {
    }

    /**
     * The decision: {@code status} 0 lets the upgrade go on; otherwise the HTTP status to refuse
     * with, {@code kind} a stable name for metrics ({@code origin}, {@code server_full},
     * {@code per_address}) and {@code reason} the text for the response.
     */
    record Decision(int status, String kind, String reason, String clientAddress) {
        boolean allowed() {
            return status == 0;
        }
    }

    private final PulseSettings settings;
    private final List<String> allowedOrigins;
    private final List<String> trustedProxies;

    HandshakePolicy(PulseSettings settings) {
        this.settings = settings;
        this.allowedOrigins = settings.list(Setting.ALLOWED_ORIGINS).stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.trustedProxies = settings.list(Setting.TRUSTED_PROXIES);
    }

    /**
     * @param openSessions            sessions open now
     * @param sessionsOfAddressSource how many sessions the given client address has open
     */
    Decision decide(Request request, int openSessions, ToIntFunction<String> sessionsOfAddressSource) {
        boolean viaTrustedProxy = trustedProxies.contains(request.remoteAddr());
        String address = viaTrustedProxy ? clientBehindProxies(request.forwardedFor(), request.remoteAddr()) : request.remoteAddr();
        String originProblem = checkOrigin(request, viaTrustedProxy);
        if (originProblem != null) {
            return new Decision(403, "origin", originProblem, address);
        }
        if (openSessions >= settings.get(Setting.MAX_SESSIONS)) {
            return new Decision(503, "server_full", "server full", address);
        }
        long perAddress = settings.get(Setting.MAX_SESSIONS_PER_ADDRESS);
        if (perAddress > 0 && sessionsOfAddressSource.applyAsInt(address) >= perAddress) {
            return new Decision(429, "per_address", "too many sessions from " + address, address);
        }
        return new Decision(0, null, null, address);
    }

    /** Null when the origin may connect, else why not. */
    private String checkOrigin(Request request, boolean viaTrustedProxy) {
        String origin = request.origin();
        if (origin == null) {
            return settings.flag(Setting.REQUIRE_ORIGIN) ? "an Origin header is required" : null;
        }
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(normalized)) {
            return null;
        }
        if (normalized.equals("null")) {
            return "origin 'null' is not allowed";
        }
        if (allowedOrigins.contains("*")) {
            return null;
        }
        if (allowedOrigins.isEmpty()) {
            String host = viaTrustedProxy && request.forwardedHost() != null ? request.forwardedHost() : request.host();
            if (host != null && authority(normalized) != null && authority(normalized).equals(withoutDefaultPort(host.trim().toLowerCase(Locale.ROOT), normalized))) {
                return null;
            }
            return "origin " + origin + " is not this site";
        }
        return "origin " + origin + " is not allowed";
    }

    /** host[:port] of an origin, the port left out where it is the scheme's default; null if unparsable. */
    static String authority(String origin) {
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1
                    || (port == 80 && ("http".equals(uri.getScheme()) || "ws".equals(uri.getScheme())))
                    || (port == 443 && ("https".equals(uri.getScheme()) || "wss".equals(uri.getScheme())));
            return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The Host header with a port that is the origin scheme's default left out. */
    private static String withoutDefaultPort(String host, String origin) {
        boolean secure = origin.startsWith("https:") || origin.startsWith("wss:");
        String defaultSuffix = secure ? ":443" : ":80";
        return host.endsWith(defaultSuffix) ? host.substring(0, host.length() - defaultSuffix.length()) : host;
    }

    /** The rightmost X-Forwarded-For entry that is not itself a trusted proxy. */
    private String clientBehindProxies(String forwardedFor, String remoteAddr) {
        if (forwardedFor == null || forwardedFor.isBlank()) {
            return remoteAddr;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return remoteAddr;
    }
}
