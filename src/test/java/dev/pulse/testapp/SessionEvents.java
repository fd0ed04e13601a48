package dev.pulse.testapp;

import dev.pulse.Pulse;
import dev.pulse.Registration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host application hears sessions open and close (registered from its own listener, whatever
 * the listener order) and shows what it heard at GET /events, one "open:ID" or "close:ID:CAUSE" a line.
 */
@WebListener
public class SessionEvents implements ServletContextListener {

    static final List<String> HEARD = new CopyOnWriteArrayList<>();
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        registrations.add(Pulse.get().onOpen(s -> HEARD.add("open:" + s.id())));
        registrations.add(Pulse.get().onClose((s, cause) -> HEARD.add("close:" + s.id() + ":" + cause)));
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        registrations.forEach(Registration::remove);
    }

    @WebServlet("/events")
    public static class EventsServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().print(String.join("\n", HEARD));
        }
    }
}
