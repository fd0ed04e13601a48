package dev.pulse;

/** Undoes a listener or handler registration. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** Removes the registration; calling it again does nothing. */
    void remove();

    @Override
    default void close() {
        remove();
    }
}
