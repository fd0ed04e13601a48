package dev.pulse.testapp;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** POST /publish-cdi?topic=…&text=… through the injected {@link CdiPublisher}. */
@WebServlet("/publish-cdi")
public class CdiPublishServlet extends HttpServlet {

    @Inject
    CdiPublisher publisher;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(publisher.announce(request.getParameter("topic"), request.getParameter("text")));
    }
}
