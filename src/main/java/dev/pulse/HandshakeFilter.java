package dev.pulse;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Guards the WebSocket handshake before the upgrade: refuses a foreign Origin (403) and handshakes
 * past the session caps (503, 429), works out the client's address (behind trusted proxies), and
 * runs the application's {@link TokenVerifier}. What it learns reaches the endpoint through
 * {@link PulseConfigurator}, which the container calls on this request thread inside the chain.
 */
@WebFilter(urlPatterns = Protocol.ENDPOINT_PATH, asyncSupported = true)
public class HandshakeFilter implements Filter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());
    static final String TOKEN_PARAMETER = "access_token";
    static final String TOKEN_SUBPROTOCOL_PREFIX = "access_token.";
    /** Seconds a refused client is told to wait (Retry-After). */
    private static final int RETRY_AFTER_SECONDS = 10;

    /** What the handshake established about the client. */
    record Handshake(String clientAddress, String user, boolean unauthorized) {
    }

    private static final ThreadLocal<Handshake> CURRENT = new ThreadLocal<>();

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        PulseRuntime runtime = Pulse.get().runtime();
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
                || runtime == null || !"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            chain.doFilter(req, res); // not a handshake, or Pulse not running (the endpoint answers 1013)
            return;
        }
        HandshakePolicy.Decision decision = runtime.handshakePolicy().decide(
                new HandshakePolicy.Request(request.getHeader("Origin"), request.getHeader("Host"),
                        request.getHeader("X-Forwarded-Host"), request.getRemoteAddr(), request.getHeader("X-Forwarded-For")),
                runtime.registry().size(), runtime.registry()::sessionsOf);
        if (!decision.allowed()) {
            LOG.fine(() -> "Handshake refused with " + decision.status() + ": " + decision.reason());
            runtime.metrics().handshakeRefused(decision.kind());
            if (decision.status() != HttpServletResponse.SC_FORBIDDEN) {
                response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            }
            response.sendError(decision.status(), decision.reason());
            return;
        }
        String user = null;
        boolean unauthorized = false;
        TokenVerifier verifier = Pulse.get().events().tokenVerifier();
        if (verifier != null) {
            try {
                user = verifier.verify(token(request));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Token verifier failed; client refused", e);
            }
            unauthorized = user == null;
            if (unauthorized) {
                runtime.metrics().handshakeRefused("unauthorized");
            }
        }
        CURRENT.set(new Handshake(decision.clientAddress(), user, unauthorized));
        try {
            chain.doFilter(req, res);
        } finally {
            CURRENT.remove();
        }
    }

    /**
     * The earliest shutdown hook a web application gets: every filter is destroyed before any
     * context listener hears of the shutdown, and the container's WebSocket listener closes the
     * sessions left open with its own plain 1001. So Pulse closes its sessions here, each with
     * 1001 and a spread retry hint; {@link PulseLifecycleListener} then stops the rest.
     */
    @Override
    public void destroy() {
        PulseRuntime runtime = Pulse.get().runtime();
        if (runtime != null) {
            runtime.closeAllSessions();
        }
    }

    /** The token from the query parameter, else from a Sec-WebSocket-Protocol entry; null if none. */
    static String token(HttpServletRequest request) {
        String token = request.getParameter(TOKEN_PARAMETER);
        if (token != null) {
            return token;
        }
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String entry : protocols.split(",")) {
                String p = entry.trim();
                if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) {
                    return p.substring(TOKEN_SUBPROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }

    /** The handshake this thread is in the middle of, or null. */
    static Handshake current() {
        return CURRENT.get();
    }
}
