package dev.pulse;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;

/** {@code GET /api/status}: a JSON snapshot of the running Pulse. 503 when it is not running. */
@WebServlet("/api/status")
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
        response.getWriter().write(status(runtime));
    }

    static String status(PulseRuntime runtime) {
        JsonObjectBuilder settings = Json.createObjectBuilder();
        runtime.settings().asMap().forEach((key, value) -> {
            if (value instanceof Long number) {
                settings.add(key, number);
            } else if (value instanceof Boolean flag) {
                settings.add(key, flag);
            } else {
                settings.add(key, String.valueOf(value));
            }
        });
        return Json.createObjectBuilder()
                .add("running", true)
                .add("protocol", Protocol.VERSION)
                .add("sessions", runtime.registry().size())
                .add("uptimeMs", runtime.uptimeMillis())
                .add("scheduler", Json.createObjectBuilder()
                        .add("kind", runtime.scheduler().kind().name().toLowerCase(Locale.ROOT))
                        .add("name", runtime.scheduler().name()))
                .add("settings", settings)
                .build().toString();
    }
}
