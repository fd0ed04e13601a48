package dev.pulse.testapp;

import dev.pulse.Pulse;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A host application's own code pushing through Pulse: POST /publish?topic=…&text=… answers the receiver count. */
@WebServlet("/publish")
public class PublishServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int receivers = Pulse.get().publish(request.getParameter("topic"), request.getParameter("text"));
        response.setContentType("text/plain");
        response.getWriter().print(receivers);
    }
}
