package dev.pulse.testapp;

import dev.pulse.Pulse;
import dev.pulse.SessionInfo;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.stream.Collectors;

/** GET /presence?topic=… answers the subscribed session ids, comma-separated. */
@WebServlet("/presence")
public class PresenceServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(Pulse.get().presence(request.getParameter("topic")).stream()
                .map(SessionInfo::id).sorted().collect(Collectors.joining(",")));
    }
}
