package dev.pulse.testapp;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Test-only negative control for RedeployIT: starts a thread named pulse-leak and does not stop it
 * on contextDestroyed, so Tomcat must report it. The thread ends by itself soon after.
 */
@WebListener
public class LeakyListener implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pulse-leak");
        t.setDaemon(true);
        t.start();
    }
}
