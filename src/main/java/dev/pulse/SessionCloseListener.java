package dev.pulse;

/** Told when a session ends, once per session, with the session as it was and why it ended. */
@FunctionalInterface
public interface SessionCloseListener {
    void sessionClosed(SessionInfo session, CloseCause cause);
}
