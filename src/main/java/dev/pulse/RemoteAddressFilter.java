package dev.pulse;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import java.io.IOException;

/**
 * Makes the client's address visible to {@link PulseConfigurator} during the WebSocket handshake,
 * which the container runs on the request thread inside this filter's chain.
 */
@WebFilter(urlPatterns = Protocol.ENDPOINT_PATH, asyncSupported = true)
public class RemoteAddressFilter implements Filter {

    private static final ThreadLocal<String> REMOTE_ADDRESS = new ThreadLocal<>();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        REMOTE_ADDRESS.set(request.getRemoteAddr());
        try {
            chain.doFilter(request, response);
        } finally {
            REMOTE_ADDRESS.remove();
        }
    }

    /** The address of the request this thread is handling inside the filter, or null. */
    static String currentRemoteAddress() {
        return REMOTE_ADDRESS.get();
    }
}
