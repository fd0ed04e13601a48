package dev.pulse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host application's listeners, its client message handler and its token verifier. Lives as long as the class
 * loader (see {@link Pulse}), so an application may register before or after Pulse starts.
 * Listeners run on the thread where the event happened; one that throws is logged and the others
 * still run.
 */
final class PulseEvents {

    private static final Logger LOG = Logger.getLogger(PulseEvents.class.getName());

    private final List<Consumer<SessionInfo>> openListeners = new CopyOnWriteArrayList<>();
    private final List<SessionCloseListener> closeListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<ClientMessageHandler> messageHandler = new AtomicReference<>();
    private final AtomicReference<TokenVerifier> tokenVerifier = new AtomicReference<>();

    Registration onOpen(Consumer<SessionInfo> listener) {
        openListeners.add(listener);
        return () -> openListeners.remove(listener);
    }

    Registration onClose(SessionCloseListener listener) {
        closeListeners.add(listener);
        return () -> closeListeners.remove(listener);
    }

    Registration onMessage(ClientMessageHandler handler) {
        if (!messageHandler.compareAndSet(null, handler)) {
            throw new IllegalStateException("A client message handler is already registered");
        }
        return () -> messageHandler.compareAndSet(handler, null);
    }

    Registration tokenVerifier(TokenVerifier verifier) {
        if (!tokenVerifier.compareAndSet(null, verifier)) {
            throw new IllegalStateException("A token verifier is already registered");
        }
        return () -> tokenVerifier.compareAndSet(verifier, null);
    }

    /** The registered verifier, or null. */
    TokenVerifier tokenVerifier() {
        return tokenVerifier.get();
    }

    /** The registered handler, or null. */
    ClientMessageHandler messageHandler() {
        return messageHandler.get();
    }

    boolean hasOpenListeners() {
        return !openListeners.isEmpty();
    }

    boolean hasCloseListeners() {
        return !closeListeners.isEmpty();
    }

    void opened(SessionInfo session) {
        for (Consumer<SessionInfo> listener : openListeners) {
            try {
                listener.accept(session);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Open listener failed for session " + session.id(), e);
            }
        }
    }

    void closed(SessionInfo session, CloseCause cause) {
        for (SessionCloseListener listener : closeListeners) {
            try {
                listener.sessionClosed(session, cause);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Close listener failed for session " + session.id(), e);
            }
        }
    }
}
