package dev.pulse;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /api/status} and {@code GET /api/sessions}: JSON snapshots of the running Pulse
 * ({@link StatusReport}). 503 while Pulse is not running; 404 where the settings
 * {@code statusApi} / {@code sessionsApi} turn them off.
 */
@WebServlet({"/api/status", "/api/sessions"})
public class StatusServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        PulseRuntime runtime = Pulse.get().runtime();
        if (runtime == null) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.getWriter().write("{\"running\":false}");
            return;
        }
        boolean sessions = request.getServletPath().endsWith("/sessions");
        if (!runtime.settings().flag(sessions ? Setting.SESSIONS_API : Setting.STATUS_API)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.getWriter().write((sessions ? StatusReport.sessions(runtime) : StatusReport.status(runtime)).toString());
    }
}
