package dev.pulse.testapp;

import dev.pulse.Pulse;
import dev.pulse.Registration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/** A host application's token check: the token {@code let-me-in} is user alice, nothing else passes. */
@WebListener
public class TokenCheck implements ServletContextListener {

    public static final String TOKEN = "let-me-in";
    private Registration registration;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        registration = Pulse.get().tokenVerifier(token -> TOKEN.equals(token) ? "alice" : null);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        registration.remove();
    }
}
